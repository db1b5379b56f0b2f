"""Current visitors (Plausible's v1 realtime route, GraphQL) and the Stats API v2 query through
GraphQL, against a real `eventlens up`."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]

SITE = "https://live.example"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(scope="module")
def site(shared_platform: RunningPlatform) -> str:
    schema = {"name": "live", "description": "Live", "properties": {}}
    assert shared_platform.admin_post("/api/schemas/", schema).status_code == 201
    adaptor = shared_platform.admin_post(
        "/api/adaptors/", {"name": "Live", "schema_id": "live", "website_url": SITE}
    )
    assert adaptor.status_code == 201, adaptor.text
    container_id: str = adaptor.json()["container_id"]
    for address in ("198.51.100.1", "198.51.100.2", "198.51.100.2"):
        event = {
            "event_id": str(uuid.uuid4()),
            "container_id": container_id,
            "event_type": "page_view",
            "url": f"{SITE}/",
        }
        answer = shared_platform.client.post(
            "/api/events/batch",
            json={"events": [event]},
            headers={"User-Agent": CHROME, "X-Forwarded-For": address, "Origin": SITE},
        )
        assert answer.status_code == 202, answer.text
    return container_id


def realtime(platform: RunningPlatform, site_id: str) -> Any:
    response = platform.client.get(
        "/api/v1/stats/realtime/visitors", params={"site_id": site_id}, headers=platform.auth()
    )
    return response


def graphql(platform: RunningPlatform, query: str, **variables: Any) -> dict[str, Any]:
    response = platform.client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=platform.auth()
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def eventually(read: Any, expected: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return value


def test_current_visitors_are_the_distinct_visitors_of_the_last_five_minutes(
    shared_platform: RunningPlatform, site: str
) -> None:
    by_id = eventually(lambda: realtime(shared_platform, site).json(), 2)
    by_domain = realtime(shared_platform, "live.example")

    assert by_id == 2
    assert (by_domain.status_code, by_domain.text) == (200, "2")


def test_an_unknown_site_is_400_naming_it(shared_platform: RunningPlatform, site: str) -> None:
    response = realtime(shared_platform, "nowhere.example")

    assert response.status_code == 400
    assert "nowhere.example" in response.json()["error"]


def test_graphql_answers_current_visitors_and_the_stats_query(
    shared_platform: RunningPlatform, site: str
) -> None:
    eventually(lambda: realtime(shared_platform, site).json(), 2)
    query = (
        "query($site: String!, $q: JSON!) { currentVisitors(siteId: $site) webStats(query: $q) }"
    )
    stats = {"site_id": site, "metrics": ["visitors", "pageviews"], "date_range": "day"}

    data = graphql(shared_platform, query, site=site, q=stats)["data"]

    assert data["currentVisitors"] == 2
    assert data["webStats"]["results"] == [{"metrics": [2, 3], "dimensions": []}]


def test_graphql_names_an_invalid_stats_query(shared_platform: RunningPlatform, site: str) -> None:
    query = "query($q: JSON!) { webStats(query: $q) }"
    bad = {"site_id": site, "metrics": ["visitors", "teleports"], "date_range": "day"}

    body = graphql(shared_platform, query, q=bad)

    assert body.get("data") is None
    assert "teleports" in body["errors"][0]["message"]
