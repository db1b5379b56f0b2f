"""What an anonymous client learns from a running platform: its own mistakes, not what else is
there. The metrics need a token, ingest errors do not list the catalog, and only the pages of
an adaptor's origins may read ingest errors."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.e2e.platform import RunningPlatform, running_on, snippet_body

pytestmark = [pytest.mark.postgres]

METRICS_TOKEN = "scraper-token-for-the-tests"
SITE = "http://localhost:8080"  # the seed site's website


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    data_dir = tmp_path_factory.mktemp("disclosure") / "data"
    with running_on(postgres_server, data_dir, EVENTLENS_METRICS_TOKEN=METRICS_TOKEN) as running:
        yield running


@pytest.fixture(scope="module")
def container_id(platform: RunningPlatform) -> str:
    return platform.setup_seed_site()


def test_metrics_answer_only_the_scraper_token_or_an_admin(platform: RunningPlatform) -> None:
    viewer = {"username": "val", "password": "val-password-1", "role": "viewer"}
    assert platform.admin_post("/api/users/", viewer).status_code == 201

    def scrape(token: str | None) -> int:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return platform.client.get("/metrics", headers=headers).status_code

    assert scrape(None) == 401
    assert scrape("a-guessed-token") == 401
    assert scrape(platform.login("val", "val-password-1")) == 403
    assert scrape(platform.login()) == 200
    assert scrape(METRICS_TOKEN) == 200
    assert (
        "eventlens_ingested_events_total"
        in platform.client.get(
            "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        ).text
    )


def test_an_unknown_event_type_is_refused_without_listing_the_schemas_types(
    platform: RunningPlatform, container_id: str
) -> None:
    answer = platform.client.post(
        "/api/events/ingest", json=snippet_body(container_id, event_type="teleport")
    )

    assert answer.status_code == 422
    assert "teleport" in answer.json()["detail"]
    assert "github_project_click" not in answer.text  # one of the schema's types
    kept = kept_reason(platform, answer.json()["error"]["event_id"])
    assert "github_project_click" in kept  # admins see the full reason


def test_an_event_for_another_schema_does_not_learn_the_adaptors_schema(
    platform: RunningPlatform, container_id: str
) -> None:
    other = {"name": "other_site", "properties": {"page_view": {}}}
    assert platform.admin_post("/api/schemas/", other).status_code == 201

    answer = platform.client.post(
        "/api/events/ingest", json=snippet_body(container_id, schema_id="other_site")
    )

    assert answer.status_code == 422
    assert "portfolio_events" not in answer.text
    assert "portfolio_events" in kept_reason(platform, answer.json()["error"]["event_id"])


@pytest.mark.parametrize(("origin", "echoed"), [(SITE, True), ("https://elsewhere.example", False)])
def test_ingest_errors_are_readable_only_by_pages_of_an_adaptors_origins(
    platform: RunningPlatform, container_id: str, origin: str, echoed: bool
) -> None:
    answers = [
        platform.client.post(
            "/api/events/ingest",
            json=snippet_body(container_id, event_type="teleport"),
            headers={"Origin": origin},
        ),
        platform.client.post(
            "/api/events/ingest",
            content=b"{not json",
            headers={"Origin": origin, "Content-Type": "application/json"},
        ),
    ]

    for answer in answers:
        assert answer.status_code >= 400
        assert answer.headers.get("access-control-allow-origin") == (origin if echoed else None)


def kept_reason(platform: RunningPlatform, event_id: str) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rows = platform.client.get("/api/events/rejected", headers=platform.auth()).json()
        for row in rows:
            if row["event_id"] == event_id:
                return " ".join(reason["message"] for reason in row["reasons"])
        time.sleep(0.1)
    raise AssertionError("the rejected event was not recorded")
