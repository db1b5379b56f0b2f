"""Funnels (`POST /api/v2/funnel`), retention (`POST /api/v2/retention`) and saved funnels
(`/api/funnels/`) against a real `eventlens up`, over a known dataset imported as the
tracker sends it, in both event-store modes.

The site's goals: the pages /, /pricing, /pri* and /acc**, and the event signup.

Funnel visitors (steps "Visit /", "Visit /pricing", "signup"; Nov 5 is D1, Nov 6 D2, Nov 9 D3):
- V1 (Google): D1 / -> /pricing -> signup, one visit: all three steps.
- V2 (Google): D1 / -> /pricing: two steps.
- V3 (direct): D1 /pricing -> / -> signup: the pricing page came before the first step, so
  only the first step counts.
- V4 (direct): D1 / -> signup -> /pricing: two steps (the signup came before the pricing).
- V5 (newsletter): D1 / -> signup: skipped the pricing page, so stops at the first step.
- V6 (Google): D1 15:00 / -> /pricing, then the signup D2 14:00 (another visit): two steps
  within a visit, three within a day.
- V7 (direct): D1 16:00 /, then 45 idle minutes, /pricing -> signup (another visit): one step
  within a visit, three within a day.
- V8 (direct): D2 /pricing only: not in the funnel.
- V9 (direct): D1 09:00 / (a bounce); D3 / -> /pricing -> signup: three steps, within a visit
  and within a day (from the later first step: the earlier one is four days before).

Identified users (`user_id`, their own addresses, pages under /account):
- u1: D1, D2 (signup), D3.  u2: D1.  u3: D2, D3 (signup).  u4: Nov 4 (first), D1.  u5: D3.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform, running_in_store

pytestmark = [pytest.mark.postgres]

SITE = "https://funnel.example"
DOMAIN = "funnel.example"
CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
GOOGLE = "https://www.google.com/"
D0, D1, D2, D3 = "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-09"
RANGE = [D1, D3]
STEPS = ["Visit /", "Visit /pricing", "signup"]
GOALS = [
    {"page_path": "/"},
    {"page_path": "/pricing"},
    {"event_name": "signup"},
    {"page_path": "/pri*"},
    {"page_path": "/acc**"},
]

# Visitor -> (address, events: (day, time, type, path, referrer, user_id)).
VISITORS: dict[str, tuple[str, list[tuple[Any, ...]]]] = {
    "V1": (
        "198.51.100.1",
        [
            (D1, "10:00", "page_view", "/", GOOGLE, None),
            (D1, "10:05", "page_view", "/pricing", None, None),
            (D1, "10:06", "signup", "/pricing", None, None),
        ],
    ),
    "V2": (
        "198.51.100.2",
        [
            (D1, "11:00", "page_view", "/", GOOGLE, None),
            (D1, "11:02", "page_view", "/pricing", None, None),
        ],
    ),
    "V3": (
        "198.51.100.3",
        [
            (D1, "12:00", "page_view", "/pricing", None, None),
            (D1, "12:01", "page_view", "/", None, None),
            (D1, "12:02", "signup", "/", None, None),
        ],
    ),
    "V4": (
        "198.51.100.4",
        [
            (D1, "13:00", "page_view", "/", None, None),
            (D1, "13:01", "signup", "/", None, None),
            (D1, "13:05", "page_view", "/pricing", None, None),
        ],
    ),
    "V5": (
        "198.51.100.5",
        [
            (D1, "14:00", "page_view", "/?utm_source=newsletter", None, None),
            (D1, "14:01", "signup", "/", None, None),
        ],
    ),
    "V6": (
        "198.51.100.6",
        [
            (D1, "15:00", "page_view", "/", GOOGLE, None),
            (D1, "15:05", "page_view", "/pricing", None, None),
            (D2, "14:00", "signup", "/pricing", None, None),
        ],
    ),
    "V7": (
        "198.51.100.7",
        [
            (D1, "16:00", "page_view", "/", None, None),
            (D1, "16:45", "page_view", "/pricing", None, None),
            (D1, "16:46", "signup", "/pricing", None, None),
        ],
    ),
    "V8": ("198.51.100.8", [(D2, "10:00", "page_view", "/pricing", None, None)]),
    "V9": (
        "198.51.100.9",
        [
            (D1, "09:00", "page_view", "/", None, None),
            (D3, "09:00", "page_view", "/", None, None),
            (D3, "09:01", "page_view", "/pricing", None, None),
            (D3, "09:02", "signup", "/pricing", None, None),
        ],
    ),
    "u1": (
        "203.0.113.1",
        [
            (D1, "08:00", "page_view", "/account", None, "u1"),
            (D2, "08:00", "page_view", "/account", None, "u1"),
            (D2, "08:01", "signup", "/account", None, "u1"),
            (D3, "08:00", "page_view", "/account", None, "u1"),
        ],
    ),
    "u2": ("203.0.113.2", [(D1, "08:00", "page_view", "/account", None, "u2")]),
    "u3": (
        "203.0.113.3",
        [
            (D2, "08:00", "page_view", "/account", None, "u3"),
            (D3, "08:00", "page_view", "/account", None, "u3"),
            (D3, "08:01", "signup", "/account", None, "u3"),
        ],
    ),
    "u4": (
        "203.0.113.4",
        [
            (D0, "08:00", "page_view", "/account", None, "u4"),
            (D1, "08:00", "page_view", "/account", None, "u4"),
        ],
    ),
    "u5": ("203.0.113.5", [(D3, "08:00", "page_view", "/account", None, "u5")]),
}


@dataclass(frozen=True)
class Dataset:
    container_id: str


@pytest.fixture(scope="module", params=["postgres", "kafka"])
def shared_platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    with running_in_store(request, tmp_path_factory, postgres_server, "funnels") as running:
        yield running


def imported(
    day: str, clock: str, event_type: str, path: str, referrer: str | None, user_id: str | None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "url": f"{SITE}{path}",
        "referrer": referrer,
        "properties": {},
        "timestamp": f"{day}T{clock}:00Z",
    }
    if user_id is not None:
        event["user_id"] = user_id
    return event


@pytest.fixture(scope="module")
def dataset(shared_platform: RunningPlatform) -> Dataset:
    schema = shared_platform.admin_post(
        "/api/schemas/",
        {"name": "funnel_shop", "description": "A shop", "properties": {"signup": {}}},
    )
    assert schema.status_code == 201, schema.text
    adaptor = shared_platform.admin_post(
        "/api/adaptors/", {"name": "Funnel shop", "schema_id": "funnel_shop", "website_url": SITE}
    )
    assert adaptor.status_code == 201, adaptor.text
    container_id: str = adaptor.json()["container_id"]
    for goal in GOALS:
        added = shared_platform.admin_post("/api/goals/", {"site_id": DOMAIN, **goal})
        assert added.status_code == 201, added.text
    sent = 0
    for address, events in VISITORS.values():
        body = {"events": [{"container_id": container_id, **imported(*e)} for e in events]}
        headers = {"X-Forwarded-For": address, "User-Agent": CHROME, **shared_platform.auth()}
        response = shared_platform.client.post("/api/events/import", json=body, headers=headers)
        assert response.status_code == 202, response.text
        sent += len(events)
    deadline = time.monotonic() + 60
    while len(shared_platform.recent(limit=1000, adaptor_id=container_id)) < sent:
        assert time.monotonic() < deadline, "the events were not projected"
        time.sleep(0.1)
    return Dataset(container_id)


def post(platform: RunningPlatform, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = platform.client.post(path, json=body, headers=platform.auth())
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def funnel(platform: RunningPlatform, **asked: Any) -> dict[str, Any]:
    return post(platform, "/api/v2/funnel", {"site_id": DOMAIN, "date_range": RANGE, **asked})


def counts(steps: list[dict[str, Any]]) -> list[list[Any]]:
    """Each step as [visitors, conversion_rate, dropoff, dropoff_rate]."""
    return [[s["visitors"], s["conversion_rate"], s["dropoff"], s["dropoff_rate"]] for s in steps]


def test_a_funnel_within_a_visit_counts_steps_in_order(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = funnel(shared_platform, steps=STEPS, within="visit")

    # Step 1: everyone but V8 (8). Step 2: V1, V2, V4, V6, V9 (V3's pricing came first, V5
    # skipped it, V7's was another visit). Step 3: V1 and V9.
    assert counts(answer["steps"]) == [
        [8, 100.0, 0, 0.0],
        [5, 62.5, 3, 37.5],
        [2, 25.0, 3, 60.0],
    ]
    assert [s["goal"] for s in answer["steps"]] == STEPS
    assert answer["query"] == {
        "site_id": DOMAIN,
        "date_range": [f"{D1}T00:00:00+00:00", f"{D3}T23:59:59+00:00"],
        "steps": STEPS,
        "within": "visit",
        "filters": [],
        "breakdown": None,
    }


def test_a_funnel_within_days_follows_visitors_across_visits(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = funnel(shared_platform, steps=STEPS, within="1d")

    # V6 and V7 now finish (their signups are within a day); V9 from its later start.
    assert counts(answer["steps"]) == [
        [8, 100.0, 0, 0.0],
        [6, 75.0, 2, 25.0],
        [4, 50.0, 2, 33.33],
    ]


def test_the_first_step_alone_decides_who_enters(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = funnel(shared_platform, steps=["Visit /pricing", "signup"])

    # Pricing viewers: V1, V2, V3, V4, V6, V7, V8, V9 (8); a signup after it in the same
    # visit: V1, V3 (its signup came after pricing), V7, V9.
    assert counts(answer["steps"]) == [[8, 100.0, 0, 0.0], [4, 50.0, 4, 50.0]]


def test_a_page_step_may_use_wildcards(shared_platform: RunningPlatform, dataset: Dataset) -> None:
    answer = funnel(shared_platform, steps=["Visit /pri*", "Visit /acc**"])

    assert counts(answer["steps"]) == [[8, 100.0, 0, 0.0], [0, 0.0, 8, 100.0]]


def test_a_funnel_broken_down_by_source(shared_platform: RunningPlatform, dataset: Dataset) -> None:
    answer = funnel(shared_platform, steps=STEPS, breakdown="visit:source")

    # Direct: V3 (1), V4 (2), V7 (1), V9 (3); Google: V1 (3), V2 (2), V6 (2); newsletter: V5.
    assert [(row["value"], counts(row["steps"])) for row in answer["breakdown"]] == [
        ("Direct / None", [[4, 100.0, 0, 0.0], [2, 50.0, 2, 50.0], [1, 25.0, 1, 50.0]]),
        ("Google", [[3, 100.0, 0, 0.0], [3, 100.0, 0, 0.0], [1, 33.33, 2, 66.67]]),
        ("newsletter", [[1, 100.0, 0, 0.0], [0, 0.0, 1, 100.0], [0, 0.0, 0, 0.0]]),
    ]
    assert counts(answer["steps"])[2] == [2, 25.0, 3, 60.0]


def test_a_funnel_filtered_like_the_stats_api(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = funnel(shared_platform, steps=STEPS, filters=[["is", "visit:source", ["Google"]]])

    assert counts(answer["steps"]) == [
        [3, 100.0, 0, 0.0],
        [3, 100.0, 0, 0.0],
        [1, 33.33, 2, 66.67],
    ]


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"steps": ["Visit /"]}, "#/steps", "2 to 8 steps, but 1 were given"),
        ({"steps": [f"Visit /{n}" for n in range(9)]}, "#/steps", "but 9 were given"),
        ({"steps": ["Visit /", "Visit /"]}, "#/steps/1", "is a step twice"),
        ({"within": "week"}, "#/within", 'Invalid within "week"'),
        ({"within": "0d"}, "#/within", 'Invalid within "0d"'),
        ({"breakdown": "event:page"}, "#/breakdown", 'Invalid breakdown "event:page"'),
        ({"date_range": "fortnight"}, "#/date_range", "fortnight"),
        ({"filters": [["is", "visit:planet", ["Mars"]]]}, "#/filters/0", "Invalid filter"),
        ({"site_id": "nowhere.example"}, "site_id", "nowhere.example"),
        ({"steps": ["Visit /", "Visit /nowhere"]}, "#/steps/1", "not configured for this site"),
        ({"colour": "red"}, "#/colour", "additional properties"),
    ],
)
def test_a_bad_funnel_is_refused_naming_the_field(
    shared_platform: RunningPlatform,
    dataset: Dataset,
    change: dict[str, Any],
    field: str,
    said: str,
) -> None:
    body = {"site_id": DOMAIN, "date_range": RANGE, "steps": STEPS, **change}

    response = shared_platform.client.post(
        "/api/v2/funnel", json=body, headers=shared_platform.auth()
    )

    assert response.status_code == 400, response.text
    assert response.json()["field"] == field
    assert said in response.json()["error"]


def retention(platform: RunningPlatform, **asked: Any) -> dict[str, Any]:
    return post(platform, "/api/v2/retention", {"site_id": DOMAIN, **asked})


def grid(answer: dict[str, Any]) -> list[Any]:
    return [
        [row["cohort"], row["users"], [[p["users"], p["percentage"]] for p in row["retention"]]]
        for row in answer["cohorts"]
    ]


def test_daily_retention_counts_identified_users_only(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = retention(shared_platform, date_range=[D1, D2], period="day")

    # Nov 5: u1 and u2 (u4 came first on Nov 4); u1 came back on Nov 6. Nov 6: u3. The
    # anonymous visitors are not users.
    assert grid(answer) == [
        [D1, 2, [[2, 100.0], [1, 50.0]]],
        [D2, 1, [[1, 100.0]]],
    ]
    assert answer["identified_users_only"] is True
    assert "identified users only" in answer["notice"]


def test_weekly_retention_from_the_first_visit(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = retention(shared_platform, date_range=RANGE, period="week", start="first visit")

    # Week of Nov 2: u1, u2, u3 (u4 first came before the range); back in the week of Nov 9:
    # u1 and u3. Week of Nov 9: u5.
    assert grid(answer) == [
        ["2026-11-02", 3, [[3, 100.0], [2, 66.7]]],
        [D3, 1, [[1, 100.0]]],
    ]


def test_weekly_retention_from_a_goal(shared_platform: RunningPlatform, dataset: Dataset) -> None:
    answer = retention(shared_platform, date_range=RANGE, period="week", start="signup")

    # u1 signed up in the week of Nov 2 and came back the next; u3 signed up on Nov 9. (The
    # anonymous visitors' signups do not count.)
    assert grid(answer) == [
        ["2026-11-02", 1, [[1, 100.0], [1, 100.0]]],
        [D3, 1, [[1, 100.0]]],
    ]
    assert answer["query"]["start"] == "signup"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"period": "month"}, "#/period"),
        ({"period": None}, "#/period"),
        ({"start": ""}, "#/start"),
        ({"start": 7}, "#/start"),
        ({"date_range": "soon"}, "#/date_range"),
        ({"start": "Visit /nowhere"}, "#/start"),
        ({"date_range": ["2026-01-01", "2026-12-01"], "period": "day"}, "#/date_range"),
    ],
)
def test_a_bad_retention_query_is_refused_naming_the_field(
    shared_platform: RunningPlatform, dataset: Dataset, change: dict[str, Any], field: str
) -> None:
    body = {"site_id": DOMAIN, "date_range": RANGE, "period": "week", **change}

    response = shared_platform.client.post(
        "/api/v2/retention", json=body, headers=shared_platform.auth()
    )

    assert response.status_code == 400, response.text
    assert response.json()["field"] == field


def graphql(platform: RunningPlatform, query: str, **variables: Any) -> dict[str, Any]:
    response = platform.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=platform.auth()
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_graphql_answers_funnels_and_retention_as_rest_does(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    asked = {"site_id": DOMAIN, "date_range": RANGE, "steps": STEPS, "within": "1d"}
    cohorts = {"site_id": DOMAIN, "date_range": RANGE, "period": "week"}

    data = graphql(
        shared_platform,
        "query($f: JSON!, $r: JSON!) { funnel(query: $f) retention(query: $r) }",
        f=asked,
        r=cohorts,
    )["data"]

    assert counts(data["funnel"]["steps"]) == [
        [8, 100.0, 0, 0.0],
        [6, 75.0, 2, 25.0],
        [4, 50.0, 2, 33.33],
    ]
    assert grid(data["retention"])[0] == ["2026-11-02", 3, [[3, 100.0], [2, 66.7]]]
    assert data["retention"]["identified_users_only"] is True


def test_a_funnel_filtered_and_broken_down_at_once_as_the_dashboard_asks(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    google = [["is", "visit:source", ["Google"]]]

    answer = funnel(shared_platform, steps=STEPS, filters=google, breakdown="visit:device")

    # V1, V2 and V6, all on a desktop Chrome.
    google_steps = [[3, 100.0, 0, 0.0], [3, 100.0, 0, 0.0], [1, 33.33, 2, 66.67]]
    assert counts(answer["steps"]) == google_steps
    assert [(row["value"], counts(row["steps"])) for row in answer["breakdown"]] == [
        ("Desktop", google_steps)
    ]


def test_graphql_reads_and_changes_a_sites_retention_period(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    site = dataset.container_id
    read = "query($id: String!) { adaptor(containerId: $id) { retention { days } } }"
    assert graphql(shared_platform, read, id=site)["data"]["adaptor"]["retention"] == {"days": None}

    # A period far longer than the dataset's age: nothing of it expires.
    set_days = "mutation($id: String!) { setRetention(containerId: $id, days: 3650) { days } }"
    assert graphql(shared_platform, set_days, id=site)["data"] == {"setRetention": {"days": 3650}}
    rest = shared_platform.client.get(
        f"/api/adaptors/{site}/retention", headers=shared_platform.auth()
    )
    assert rest.json()["days"] == 3650
    assert graphql(shared_platform, read, id=site)["data"]["adaptor"]["retention"] == {"days": 3650}

    clear = "mutation($id: String!) { clearRetention(containerId: $id) { days } }"
    assert graphql(shared_platform, clear, id=site)["data"] == {"clearRetention": {"days": None}}
    assert graphql(shared_platform, read, id=site)["data"]["adaptor"]["retention"] == {"days": None}


def test_graphql_names_a_bad_funnel(shared_platform: RunningPlatform, dataset: Dataset) -> None:
    asked = {"site_id": DOMAIN, "date_range": RANGE, "steps": ["Visit /"]}

    body = graphql(shared_platform, "query($f: JSON!) { funnel(query: $f) }", f=asked)

    assert body.get("data") is None
    assert "#/steps" in body["errors"][0]["message"]


def test_funnels_are_saved_listed_and_deleted_per_site(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    client, auth = shared_platform.client, shared_platform.auth()
    body = {"site_id": DOMAIN, "name": "Signups", "steps": STEPS, "within": "7d"}

    created = client.post("/api/funnels/", json=body, headers=auth)
    again = client.post("/api/funnels/", json=body, headers=auth)
    listed = client.get("/api/funnels/", params={"site_id": dataset.container_id}, headers=auth)

    assert created.status_code == 201, created.text
    saved = created.json()
    assert (saved["site_id"], saved["name"], saved["steps"], saved["within"]) == (
        dataset.container_id,
        "Signups",
        STEPS,
        "7d",
    )
    assert again.status_code == 409
    assert saved["breakdown"] is None
    assert [f["id"] for f in listed.json()] == [saved["id"]]

    deleted = client.delete(f"/api/funnels/{saved['id']}", headers=auth)
    gone = client.delete(f"/api/funnels/{saved['id']}", headers=auth)
    after = client.get("/api/funnels/", params={"site_id": DOMAIN}, headers=auth)

    assert deleted.status_code == 200
    assert gone.status_code == 404
    assert after.json() == []


def test_a_saved_funnel_keeps_its_breakdown(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    client, auth = shared_platform.client, shared_platform.auth()
    body = {"site_id": DOMAIN, "name": "By device", "steps": STEPS, "breakdown": "visit:device"}

    created = client.post("/api/funnels/", json=body, headers=auth)
    listed = client.get("/api/funnels/", params={"site_id": DOMAIN}, headers=auth)

    assert created.status_code == 201, created.text
    assert created.json()["breakdown"] == "visit:device"
    assert [f["breakdown"] for f in listed.json() if f["name"] == "By device"] == ["visit:device"]
    client.delete(f"/api/funnels/{created.json()['id']}", headers=auth)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"steps": ["Visit /"]}, "steps"),
        ({"within": "forever"}, "within"),
        ({"breakdown": "event:page"}, "breakdown"),
        ({"name": " "}, "name"),
        ({"steps": ["Visit /", "Visit /nowhere"]}, "steps"),
    ],
)
def test_a_bad_saved_funnel_is_refused_naming_the_field(
    shared_platform: RunningPlatform, dataset: Dataset, change: dict[str, Any], field: str
) -> None:
    body = {"site_id": DOMAIN, "name": "Bad", "steps": STEPS, **change}

    response = shared_platform.client.post(
        "/api/funnels/", json=body, headers=shared_platform.auth()
    )

    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["field"] == field


def test_only_admins_save_funnels(shared_platform: RunningPlatform, dataset: Dataset) -> None:
    user = shared_platform.admin_post(
        "/api/users/",
        {"username": "funnel_viewer", "password": "viewer-password-1", "role": "viewer"},
    )
    assert user.status_code == 201, user.text
    token = shared_platform.login("funnel_viewer", "viewer-password-1")
    viewer = {"Authorization": f"Bearer {token}"}
    body = {"site_id": DOMAIN, "name": "Nope", "steps": STEPS}

    refused = shared_platform.client.post("/api/funnels/", json=body, headers=viewer)
    listed = shared_platform.client.get("/api/funnels/", params={"site_id": DOMAIN}, headers=viewer)
    asked = shared_platform.client.post(
        "/api/v2/funnel",
        json={"site_id": DOMAIN, "date_range": RANGE, "steps": STEPS},
        headers=viewer,
    )

    assert refused.status_code == 403
    assert listed.status_code == 200
    assert asked.status_code == 200


def test_retention_counts_stay_the_same_after_a_user_is_erased(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    before = grid(retention(shared_platform, date_range=RANGE, period="week"))

    erased = shared_platform.client.delete(
        "/api/privacy/subjects/u1", headers=shared_platform.auth()
    )
    assert erased.status_code in (200, 202), erased.text
    deadline = time.monotonic() + 30
    while any(e.get("user_id") == "u1" for e in shared_platform.recent(limit=1000)):
        assert time.monotonic() < deadline, "u1's events still show the user id"
        time.sleep(0.2)

    assert grid(retention(shared_platform, date_range=RANGE, period="week")) == before
