"""Hostile schemas and input on a running platform: a catastrophic pattern does not hold
the event loop, and a schema nested too deeply is refused with a 422."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform, snippet_body

pytestmark = [pytest.mark.postgres]

EVIL = "^(a+)+$"


@pytest.fixture(scope="module")
def container_id(shared_platform: RunningPlatform) -> Iterator[str]:
    p = shared_platform
    schema = {
        "name": "patterns",
        "properties": {
            "probe": {"type": "object", "properties": {"word": {"type": "string", "pattern": EVIL}}}
        },
    }
    assert p.admin_post("/api/schemas/", schema).status_code == 201
    response = p.admin_post(
        "/api/adaptors/",
        {"name": "Patterns", "schema_id": "patterns", "website_url": "http://localhost:8080"},
    )
    assert response.status_code == 201, response.text
    yield response.json()["container_id"]


def probe(container_id: str, word: str) -> dict[str, Any]:
    body = snippet_body(container_id, "probe", schema_id="patterns")
    body["properties"]["word"] = word
    return body


def test_health_answers_while_an_ingest_meets_a_catastrophic_pattern(
    shared_platform: RunningPlatform, container_id: str
) -> None:
    p = shared_platform
    # Backtracking would take 2^n steps here: without a linear matcher this never ends.
    evil = probe(container_id, "a" * 30_000 + "!")
    answers: list[int] = []
    stop = threading.Event()

    def ingest_until_stopped() -> None:
        while not stop.is_set():
            answers.append(p.client.post("/api/events/ingest", json=evil).status_code)

    sender = threading.Thread(target=ingest_until_stopped)
    sender.start()
    try:
        time.sleep(0.2)  # the first ingest is under way
        for _ in range(5):
            started = time.monotonic()
            assert p.client.get("/health", timeout=10).status_code == 200
            # A liveness bound, not a benchmark: a blocked loop takes seconds or never answers.
            assert time.monotonic() - started < 1.0
    finally:
        stop.set()
        sender.join(30)
    assert answers and set(answers) == {422}
    ok = p.client.post("/api/events/ingest", json=probe(container_id, "aaaa"))
    assert ok.status_code == 202, ok.text


def test_registering_an_unsupported_pattern_is_answered_422_naming_it(
    shared_platform: RunningPlatform,
) -> None:
    schema = {
        "name": "backrefs",
        "properties": {"probe": {"properties": {"word": {"pattern": r"^(a)\1$"}}}},
    }

    response = shared_platform.admin_post("/api/schemas/", schema)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == "properties.probe"
    assert r"'^(a)\\1$'" in error["message"]


def test_registering_a_schema_nested_300_levels_is_answered_422(
    shared_platform: RunningPlatform,
) -> None:
    json_schema: dict[str, Any] = {"type": "string"}
    for _ in range(300):
        json_schema = {"type": "object", "properties": {"child": json_schema}}

    response = shared_platform.admin_post(
        "/api/schemas/", {"name": "deep", "properties": {"probe": json_schema}}
    )

    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "properties.probe"


def test_a_subscription_posted_to_graphql_is_answered_400(
    shared_platform: RunningPlatform,
) -> None:
    query = {"query": "subscription { liveStats { totalEvents } }"}

    response = shared_platform.client.post("/graphql", json=query, headers=shared_platform.auth())

    [error] = response.json()["errors"]
    assert error["extensions"]["status"] == 400
    assert "WebSocket" in error["message"]
