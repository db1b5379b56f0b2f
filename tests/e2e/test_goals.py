"""Goals (`/api/goals/`) and their conversions in the Stats API v2, against a real
`eventlens up` in both event-store modes, over a small dataset counted by hand.

Six visitors, one visit each, yesterday:
- V1 (Chrome): `/`, `/blog/a`, a `signup`;
- V2 (Chrome): `/blog/a/comments`, two `signup`s;
- V3 (Chrome): `/pricing`;
- V4 (Firefox): `/blog/b`;
- V5 (Firefox): `/`;
- V6 (Firefox): `/about`.
Goals: `Signup` (V1, V2: 3 events), `Visit /blog/*` (one segment: V1, V4) and
`Visit /blog/**` (any depth: V1, V2, V4).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform, running_in_store

pytestmark = [pytest.mark.postgres]

SITE = "https://goals.example"
CHROME = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
DAY = (datetime.now(UTC) - timedelta(days=1)).date()
RANGE = [DAY.isoformat(), DAY.isoformat()]
VISITORS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("198.51.100.1", CHROME, [("page_view", "/"), ("page_view", "/blog/a"), ("Signup", "/")]),
    (
        "198.51.100.2",
        CHROME,
        [("page_view", "/blog/a/comments"), ("Signup", "/"), ("Signup", "/")],
    ),
    ("198.51.100.3", CHROME, [("page_view", "/pricing")]),
    ("198.51.100.4", FIREFOX, [("page_view", "/blog/b")]),
    ("198.51.100.5", FIREFOX, [("page_view", "/")]),
    ("198.51.100.6", FIREFOX, [("page_view", "/about")]),
]
VIEWER_PASSWORD = "viewer-password-1"


@dataclass(frozen=True)
class Site:
    container_id: str
    domain: str
    viewer: dict[str, str]


@pytest.fixture(scope="module", params=["postgres", "kafka"])
def shared_platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    with running_in_store(request, tmp_path_factory, postgres_server, "goals") as running:
        yield running


@pytest.fixture(scope="module")
def site(shared_platform: RunningPlatform) -> Site:
    p = shared_platform
    schema = {"name": "goal_shop", "description": "A shop", "properties": {"Signup": {}}}
    assert p.admin_post("/api/schemas/", schema).status_code == 201
    adaptor = p.admin_post(
        "/api/adaptors/", {"name": "Goal shop", "schema_id": "goal_shop", "website_url": SITE}
    )
    assert adaptor.status_code == 201, adaptor.text
    container_id: str = adaptor.json()["container_id"]
    sent = 0
    for number, (address, agent, events) in enumerate(VISITORS):
        body = {
            "events": [
                {
                    "container_id": container_id,
                    "event_id": str(uuid.uuid4()),
                    "event_type": event_type,
                    "url": f"{SITE}{path}",
                    "properties": {},
                    "timestamp": f"{DAY.isoformat()}T10:{number:02d}:{index:02d}Z",
                }
                for index, (event_type, path) in enumerate(events)
            ]
        }
        headers = {"X-Forwarded-For": address, "User-Agent": agent, **p.auth()}
        response = p.client.post("/api/events/import", json=body, headers=headers)
        assert response.status_code == 202, response.text
        sent += len(events)
    deadline = time.monotonic() + 60
    while len(p.recent(limit=1000, adaptor_id=container_id)) < sent:
        assert time.monotonic() < deadline, "the events were not projected"
        time.sleep(0.1)
    user = {"username": "vera", "password": VIEWER_PASSWORD, "role": "viewer"}
    assert p.admin_post("/api/users/", user).status_code == 201
    viewer = {"Authorization": f"Bearer {p.login('vera', VIEWER_PASSWORD)}"}
    return Site(container_id, "goals.example", viewer)


@pytest.fixture(scope="module")
def goals(shared_platform: RunningPlatform, site: Site) -> dict[str, str]:
    """The three goals, added after the events were recorded: name -> id."""
    ids = {}
    for body in (
        {"event_name": "Signup"},
        {"page_path": "/blog/*"},
        {"page_path": "/blog/**", "display_name": "Anything on the blog"},
    ):
        response = shared_platform.admin_post("/api/goals/", {"site_id": site.domain, **body})
        assert response.status_code == 201, response.text
        ids[response.json()["name"]] = response.json()["id"]
    return ids


def query(platform: RunningPlatform, site: Site, **body: Any) -> list[list[Any]]:
    request = {"site_id": site.domain, "date_range": RANGE, **body}
    response = platform.client.post("/api/v2/query", json=request, headers=platform.auth())
    assert response.status_code == 200, response.text
    return [[row["dimensions"], row["metrics"]] for row in response.json()["results"]]


def refusal(platform: RunningPlatform, site: Site, **body: Any) -> str:
    request = {"site_id": site.domain, "date_range": RANGE, **body}
    response = platform.client.post("/api/v2/query", json=request, headers=platform.auth())
    assert response.status_code == 400, response.text
    message: str = response.json()["error"]
    return message


def test_goals_are_listed_with_their_plausible_names(
    shared_platform: RunningPlatform, site: Site, goals: dict[str, str]
) -> None:
    # Given the three goals, when a viewer lists the site's goals (by domain or container id)
    by_domain = shared_platform.client.get(
        "/api/goals/", params={"site_id": site.domain}, headers=site.viewer
    )
    by_id = shared_platform.client.get(
        "/api/goals/", params={"site_id": site.container_id}, headers=site.viewer
    )

    # Then they come oldest first, named as Plausible names them
    assert by_domain.status_code == 200, by_domain.text
    assert by_domain.json() == by_id.json()
    listed = [
        (g["name"], g["display_name"], g["goal_type"], g["event_name"], g["page_path"])
        for g in by_domain.json()
    ]
    assert listed == [
        ("Signup", "Signup", "event", "Signup", None),
        ("Visit /blog/*", "Visit /blog/*", "page", None, "/blog/*"),
        ("Visit /blog/**", "Anything on the blog", "page", None, "/blog/**"),
    ]
    assert {g["site_id"] for g in by_domain.json()} == {site.container_id}


def test_conversions_by_goal_are_exact_over_the_history_before_the_goals(
    shared_platform: RunningPlatform, site: Site, goals: dict[str, str]
) -> None:
    # When the conversions are broken down by goal
    rows = query(
        shared_platform,
        site,
        metrics=["visitors", "events", "conversion_rate"],
        dimensions=["event:goal"],
    )

    # Then each goal counts its unique and total conversions, and the share of the 6 visitors
    assert rows == [
        [["Visit /blog/**"], [3, 3, 50.0]],
        [["Signup"], [2, 3, 33.33]],
        [["Visit /blog/*"], [2, 2, 33.33]],
    ]


def test_a_goal_filter_counts_its_conversions(
    shared_platform: RunningPlatform, site: Site, goals: dict[str, str]
) -> None:
    signup = [["is", "event:goal", ["Signup"]]]
    not_signup = [["is_not", "event:goal", ["Signup"]]]
    blog = [["contains", "event:goal", ["blog"]]]

    assert query(
        shared_platform, site, metrics=["visitors", "events", "conversion_rate"], filters=signup
    ) == [[[], [2, 3, 33.33]]]
    # 10 events less the 3 sign-ups: the 7 page views, of all six visitors
    assert query(shared_platform, site, metrics=["visitors", "events"], filters=not_signup) == [
        [[], [6, 7]]
    ]
    # Either blog goal: V1, V2 and V4
    assert query(shared_platform, site, metrics=["visitors"], filters=blog) == [[[], [3]]]


def test_group_conversion_rate_is_within_each_group(
    shared_platform: RunningPlatform, site: Site, goals: dict[str, str]
) -> None:
    rows = query(
        shared_platform,
        site,
        metrics=["visitors", "group_conversion_rate", "conversion_rate"],
        dimensions=["visit:browser"],
        filters=[["is", "event:goal", ["Visit /blog/**"]]],
    )

    # Chrome: V1 and V2 of V1-V3; Firefox: V4 of V4-V6; conversion_rate: of all six
    assert rows == [
        [["Chrome"], [2, 66.67, 33.33]],
        [["Firefox"], [1, 33.33, 16.67]],
    ]


def test_plausibles_refusals_about_goals(
    shared_platform: RunningPlatform, site: Site, goals: dict[str, str]
) -> None:
    assert refusal(
        shared_platform, site, metrics=["visitors"], filters=[["is", "event:goal", ["Nope"]]]
    ) == (
        "Invalid filters. The goal `Nope` is not configured for this site. Find out how to "
        "configure goals here: https://plausible.io/docs/stats-api#filtering-by-goals"
    )
    assert refusal(shared_platform, site, metrics=["conversion_rate"]) == (
        "Metric `conversion_rate` can only be queried with event:goal filters or dimensions."
    )
    assert refusal(
        shared_platform, site, metrics=["group_conversion_rate"], dimensions=["visit:browser"]
    ) == (
        "Metric `group_conversion_rate` can only be queried with event:goal filters or dimensions."
    )


def test_a_goal_added_later_counts_the_whole_history_and_removed_stops_counting(
    shared_platform: RunningPlatform, site: Site, goals: dict[str, str]
) -> None:
    # Given a goal added now for page views recorded yesterday
    added = shared_platform.admin_post(
        "/api/goals/", {"site_id": site.container_id, "page_path": "/pricing"}
    )
    assert added.status_code == 201, added.text
    pricing = [["is", "event:goal", ["Visit /pricing"]]]

    # Then it counts them at once
    assert query(shared_platform, site, metrics=["visitors"], filters=pricing) == [[[], [1]]]

    # When it is removed, then it is no goal of the site any more
    removed = shared_platform.client.delete(
        f"/api/goals/{added.json()['id']}", headers=shared_platform.auth()
    )
    assert removed.status_code == 200, removed.text
    assert "`Visit /pricing` is not configured" in refusal(
        shared_platform, site, metrics=["visitors"], filters=pricing
    )
    again = shared_platform.client.delete(
        f"/api/goals/{added.json()['id']}", headers=shared_platform.auth()
    )
    assert again.status_code == 404, again.text


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        ({"event_name": "Signup"}, 409, "event_name", "already has the goal 'Signup'"),
        ({"page_path": "/blog/*"}, 409, "page_path", "already has the goal 'Visit /blog/*'"),
        (
            {"event_name": "Other", "display_name": "Anything on the blog"},
            409,
            "display_name",
            "already has a goal shown as",
        ),
        ({"event_name": "A", "page_path": "/a"}, 422, "event_name", "exactly one of"),
        ({}, 422, "event_name", "exactly one of"),
        ({"page_path": "/blog/***"}, 422, "page_path", "bad wildcard"),
        ({"page_path": "blog"}, 422, "page_path", "must start with '/'"),
        ({"event_name": "pageview"}, 422, "event_name", "give a page_path instead"),
        ({"event_name": "Buy", "currency": "EURO"}, 422, "currency", "not an ISO 4217"),
        ({"event_name": "Buy", "currency": "XYZ"}, 422, "currency", "not an ISO 4217"),
        ({"page_path": "/buy", "currency": "EUR"}, 422, "currency", "page goal has no"),
    ],
    ids=[
        "same event",
        "same page",
        "same display name",
        "both",
        "neither",
        "three stars",
        "relative path",
        "page view as event",
        "currency too long",
        "unknown currency",
        "revenue on a page goal",
    ],
)
def test_bad_goals_are_refused_naming_the_field(
    shared_platform: RunningPlatform,
    site: Site,
    goals: dict[str, str],
    body: dict[str, Any],
    status: int,
    field: str,
    words: str,
) -> None:
    response = shared_platform.admin_post("/api/goals/", {"site_id": site.domain, **body})

    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert field in (error.get("field") or "") or field in response.text
    assert words in response.json()["detail"] or words in response.text


def test_goals_of_an_unknown_site_and_by_a_viewer_are_refused(
    shared_platform: RunningPlatform, site: Site, goals: dict[str, str]
) -> None:
    unknown = shared_platform.admin_post(
        "/api/goals/", {"site_id": "nowhere.example", "event_name": "Signup"}
    )
    listed = shared_platform.client.get(
        "/api/goals/", params={"site_id": "nowhere.example"}, headers=shared_platform.auth()
    )
    by_viewer = shared_platform.client.post(
        "/api/goals/", json={"site_id": site.domain, "event_name": "Viewed"}, headers=site.viewer
    )
    removed_by_viewer = shared_platform.client.delete(
        f"/api/goals/{goals['Signup']}", headers=site.viewer
    )

    assert unknown.status_code == 404, unknown.text
    assert unknown.json()["error"]["field"] == "site_id"
    assert listed.status_code == 404, listed.text
    assert by_viewer.status_code == 403, by_viewer.text
    assert removed_by_viewer.status_code == 403, removed_by_viewer.text


def test_graphql_lists_the_goals_and_answers_the_same_conversions(
    shared_platform: RunningPlatform, site: Site, goals: dict[str, str]
) -> None:
    query = """
    query($site: String!, $q: JSON!) {
      goals(siteId: $site) { id name displayName goalType pagePath currency }
      webStats(query: $q)
    }"""
    stats = {
        "site_id": site.domain,
        "date_range": RANGE,
        "metrics": ["visitors", "events", "conversion_rate"],
        "dimensions": ["event:goal"],
    }

    response = shared_platform.client.post(
        "/graphql",
        json={"query": query, "variables": {"site": site.domain, "q": stats}},
        headers=site.viewer,
    )

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert [(g["id"], g["name"], g["goalType"]) for g in data["goals"][:3]] == [
        (goals["Signup"], "Signup", "event"),
        (goals["Visit /blog/*"], "Visit /blog/*", "page"),
        (goals["Visit /blog/**"], "Visit /blog/**", "page"),
    ]
    assert [[r["dimensions"], r["metrics"]] for r in data["webStats"]["results"]] == [
        [["Visit /blog/**"], [3, 3, 50.0]],
        [["Signup"], [2, 3, 33.33]],
        [["Visit /blog/*"], [2, 2, 33.33]],
    ]


SHOP = "https://shop.example"


@pytest.fixture(scope="module")
def shop(shared_platform: RunningPlatform) -> str:
    """A shop with revenue goals `Purchase` (EUR) and `Donation` (USD), and revenue sent both
    ways: yesterday in EventLens's own body (`properties.revenue`), today through Plausible's
    Events API (`revenue`).
    - P1: a purchase of 10.10 EUR;
    - P2: a purchase of 20.20 EUR, and one of 5 USD (another currency: no revenue of the goal);
    - P3: a donation of 7.00 USD;
    - P4 (today, Plausible's API): a purchase of 0.30 EUR.
    """
    p = shared_platform
    schema = {"name": "shop", "description": "", "properties": {"Purchase": {}, "Donation": {}}}
    assert p.admin_post("/api/schemas/", schema).status_code == 201
    adaptor = p.admin_post(
        "/api/adaptors/", {"name": "Shop", "schema_id": "shop", "website_url": SHOP}
    )
    assert adaptor.status_code == 201, adaptor.text
    container_id: str = adaptor.json()["container_id"]
    for body in (
        {"event_name": "Purchase", "currency": "EUR"},
        {"event_name": "Donation", "currency": "usd"},
    ):
        added = p.admin_post("/api/goals/", {"site_id": "shop.example", **body})
        assert added.status_code == 201, added.text
    sales = [
        ("198.51.100.11", [("Purchase", "10.10", "EUR")]),
        ("198.51.100.12", [("Purchase", "20.20", "EUR"), ("Purchase", "5", "USD")]),
        ("198.51.100.13", [("Donation", "7.00", "USD")]),
    ]
    for number, (address, events) in enumerate(sales):
        body = {
            "events": [
                {
                    "container_id": container_id,
                    "event_id": str(uuid.uuid4()),
                    "event_type": name,
                    "url": f"{SHOP}/checkout",
                    "properties": {"revenue": {"amount": amount, "currency": currency}},
                    "timestamp": f"{DAY.isoformat()}T11:{number:02d}:{index:02d}Z",
                }
                for index, (name, amount, currency) in enumerate(events)
            ]
        }
        headers = {"X-Forwarded-For": address, "User-Agent": CHROME, **p.auth()}
        response = p.client.post("/api/events/import", json=body, headers=headers)
        assert response.status_code == 202, response.text
    plausible = {
        "name": "Purchase",
        "url": f"{SHOP}/checkout",
        "domain": "shop.example",
        "revenue": {"amount": "0.30", "currency": "EUR"},
    }
    sent = p.client.post(
        "/api/event",
        json=plausible,
        headers={"User-Agent": FIREFOX, "X-Forwarded-For": "198.51.100.14"},
    )
    assert sent.status_code == 202, sent.text
    deadline = time.monotonic() + 60
    while len(p.recent(limit=1000, adaptor_id=container_id)) < 5:
        assert time.monotonic() < deadline, "the events were not projected"
        time.sleep(0.1)
    return container_id


def euros(value: str) -> dict[str, Any]:
    return {"short": f"€{value}", "long": f"€{value}", "value": float(value), "currency": "EUR"}


def test_revenue_goals_sum_exact_amounts_in_their_own_currency(
    shared_platform: RunningPlatform, shop: str
) -> None:
    days = [DAY.isoformat(), (DAY + timedelta(days=2)).isoformat()]
    ask = {"site_id": "shop.example", "date_range": days}
    metrics = ["visitors", "events", "total_revenue", "average_revenue"]

    by_goal = shared_platform.client.post(
        "/api/v2/query",
        json={**ask, "metrics": metrics, "dimensions": ["event:goal"]},
        headers=shared_platform.auth(),
    )
    purchases = shared_platform.client.post(
        "/api/v2/query",
        json={**ask, "metrics": metrics, "filters": [["is", "event:goal", ["Purchase"]]]},
        headers=shared_platform.auth(),
    )
    both = shared_platform.client.post(
        "/api/v2/query",
        json={**ask, "metrics": ["total_revenue"], "filters": [["contains", "event:goal", ["a"]]]},
        headers=shared_platform.auth(),
    )

    # 10.10 + 20.20 + 0.30 EUR over 3 purchases in euros (the 5 USD one has none of the goal's)
    assert by_goal.status_code == 200, by_goal.text
    assert [[r["dimensions"], r["metrics"]] for r in by_goal.json()["results"]] == [
        [["Purchase"], [3, 4, euros("30.60"), euros("10.20")]],
        [
            ["Donation"],
            [
                1,
                1,
                {"short": "$7.00", "long": "$7.00", "value": 7.0, "currency": "USD"},
                {"short": "$7.00", "long": "$7.00", "value": 7.0, "currency": "USD"},
            ],
        ],
    ]
    assert purchases.json()["results"] == [
        {"metrics": [3, 4, euros("30.60"), euros("10.20")], "dimensions": []}
    ]
    # Two currencies do not add up: no revenue
    assert both.json()["results"] == [{"metrics": [None], "dimensions": []}]
