"""Server time is the truth for stats: no sender can add page views to another day, and no
event is credited to a site it did not name. An admin imports history, counted on its days."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform, running_on, snippet_body

pytestmark = [pytest.mark.postgres]

LONG_AGO = "2020-03-01T12:00:00Z"


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    data_dir = tmp_path_factory.mktemp("server-time") / "data"
    with running_on(postgres_server, data_dir, EVENTLENS_INGEST_RATE_LIMIT="0") as running:
        yield running


@pytest.fixture(scope="module")
def container_id(platform: RunningPlatform) -> str:
    return platform.setup_seed_site()


def stats(platform: RunningPlatform, **params: Any) -> dict[str, Any]:
    answer = platform.client.get(
        "/api/events/stats",
        params={"schema_id": "portfolio_events", **params},
        headers=platform.auth(),
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def projected(platform: RunningPlatform, session: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [e for e in platform.recent(limit=1000) if e["session_id"] == session]
        if found:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"the event of {session} was not projected")


def in_2020(platform: RunningPlatform) -> int:
    counted: int = stats(platform, start="2020-03-01T00:00:00Z", end="2020-03-02T00:00:00Z")[
        "total_events"
    ]
    return counted


def test_an_anonymous_event_timestamped_long_ago_counts_when_it_arrived(
    platform: RunningPlatform, container_id: str
) -> None:
    body = snippet_body(container_id, session_id="s-backdated", timestamp=LONG_AGO)

    assert platform.client.post("/api/events/ingest", json=body).status_code == 202
    event = projected(platform, "s-backdated")

    assert event["timestamp"][:10] == event["received_at"][:10]
    assert event["metadata"]["client_timestamp"].startswith("2020-03-01T12:00:00")
    assert in_2020(platform) == 0


def test_an_admins_import_counts_each_event_on_its_own_day(
    platform: RunningPlatform, container_id: str
) -> None:
    body = {"events": [snippet_body(container_id, session_id="s-imported", timestamp=LONG_AGO)]}

    answer = platform.client.post("/api/events/import", json=body, headers=platform.auth())
    event = projected(platform, "s-imported")

    assert answer.status_code == 202, answer.text
    assert answer.json()["accepted"] == 1
    assert event["timestamp"].startswith("2020-03-01T12:00:00")
    assert in_2020(platform) == 1


def test_only_an_admin_may_import(platform: RunningPlatform, container_id: str) -> None:
    viewer = {"username": "vic", "password": "vic-password-1", "role": "viewer"}
    assert platform.admin_post("/api/users/", viewer).status_code == 201
    body = {"events": [snippet_body(container_id, timestamp=LONG_AGO)]}

    anonymous = platform.client.post("/api/events/import", json=body)
    as_viewer = platform.client.post(
        "/api/events/import",
        json=body,
        headers={"Authorization": f"Bearer {platform.login('vic', 'vic-password-1')}"},
    )

    assert anonymous.status_code == 401
    assert as_viewer.status_code == 403
    assert "admin" in as_viewer.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "named"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b'{"events": 3}', 422, "events"),
        (b'{"events": [' + b",".join([b"{}"] * 1001) + b"]}", 413, "at most 1000"),
    ],
    ids=["not JSON", "not a list", "too many"],
)
def test_a_bad_import_is_refused_naming_the_problem(
    platform: RunningPlatform, body: bytes, status: int, named: str
) -> None:
    headers = {"Content-Type": "application/json", **platform.auth()}

    answer = platform.client.post("/api/events/import", content=body, headers=headers)

    assert answer.status_code == status, answer.text
    assert named in answer.json()["detail"]


def test_an_event_naming_no_adaptor_is_credited_to_no_site(
    platform: RunningPlatform, container_id: str
) -> None:
    body = snippet_body(container_id, session_id="s-no-site")
    del body["properties"]["container_id"]  # the schema has one adaptor: it is not guessed

    assert platform.client.post("/api/events/ingest", json=body).status_code == 202
    event = projected(platform, "s-no-site")

    assert event["container_id"] is None
    assert (
        stats(platform, adaptor_id=container_id)["total_events"] < stats(platform)["total_events"]
    )
