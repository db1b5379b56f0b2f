"""Ingest answers carry the request id, as every other endpoint's do: the client's
X-Request-ID when it is sane, otherwise one of the server's own. Both ways an ingest request
is served give it: straight from the connection (the plain case) and through the app (here a
request with a query string)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.platform import RunningPlatform, snippet_body

pytestmark = [pytest.mark.postgres]

WAYS_IN = {"served by the connection": "", "served by the app": "?via=app"}


@pytest.fixture(scope="module")
def container_id(shared_platform: RunningPlatform) -> str:
    return shared_platform.setup_seed_site()


@pytest.mark.parametrize("query", WAYS_IN.values(), ids=WAYS_IN.keys())
def test_an_accepted_event_is_answered_with_the_clients_request_id(
    shared_platform: RunningPlatform, container_id: str, query: str
) -> None:
    response = shared_platform.client.post(
        f"/api/events/ingest{query}",
        json=snippet_body(container_id),
        headers={"X-Request-ID": "tracker-7f3a.1"},
    )
    assert response.status_code == 202, response.text
    assert response.headers["x-request-id"] == "tracker-7f3a.1"


@pytest.mark.parametrize("query", WAYS_IN.values(), ids=WAYS_IN.keys())
def test_a_refused_batch_is_answered_with_the_clients_request_id(
    shared_platform: RunningPlatform, query: str
) -> None:
    invalid = shared_platform.client.post(
        f"/api/events/batch{query}", json={"events": "none"}, headers={"X-Request-ID": "b-422"}
    )
    assert invalid.status_code == 422
    assert invalid.headers["x-request-id"] == "b-422"
    refused_by_its_head = shared_platform.client.post(
        f"/api/events/ingest{query}",
        content=b"{}",
        headers={"Content-Type": "application/xml", "X-Request-ID": "b-415"},
    )
    assert refused_by_its_head.status_code == 415
    assert refused_by_its_head.headers["x-request-id"] == "b-415"


@pytest.mark.parametrize("query", WAYS_IN.values(), ids=WAYS_IN.keys())
def test_without_a_sane_request_id_the_server_makes_one_per_request(
    shared_platform: RunningPlatform, container_id: str, query: str
) -> None:
    made = [
        shared_platform.client.post(
            f"/api/events/ingest{query}", json=snippet_body(container_id), headers=headers
        ).headers["x-request-id"]
        for headers in ({}, {"X-Request-ID": "not sane\t!"}, {})
    ]
    assert all(re.fullmatch(r"[0-9a-f]{32}", made_id) for made_id in made), made
    assert len(set(made)) == 3
