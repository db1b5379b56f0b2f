"""With EVENTLENS_LOG_FORMAT=json a running server writes one JSON object a line: its access
lines carry the method, path, status, duration and request id (the client's X-Request-ID when
sane, echoed in the answer, or one of the server's own), and never the client's address."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform, running_on

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    data_dir = tmp_path_factory.mktemp("json-logs") / "data"
    with running_on(
        postgres_server, data_dir, EVENTLENS_LOG_FORMAT="json", EVENTLENS_API_PROCESSES="2"
    ) as running:
        yield running


def logged(platform: RunningPlatform) -> list[dict[str, Any]]:
    return [json.loads(line) for line in platform.log.read_text().splitlines() if line.strip()]


def access_line(platform: RunningPlatform, request_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in logged(platform) if line.get("request_id") == request_id]
        if lines or time.monotonic() > deadline:
            assert len(lines) == 1, lines
            return lines[0]
        time.sleep(0.1)


def test_a_clients_request_id_is_echoed_and_logged_with_the_request(
    platform: RunningPlatform,
) -> None:
    response = platform.client.get(
        "/api/schemas/", headers={**platform.auth(), "X-Request-ID": "checkout-7f3a.42"}
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "checkout-7f3a.42"
    line = access_line(platform, "checkout-7f3a.42")
    assert line["logger"] == "eventlens.access"
    assert line["level"] == "INFO"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/schemas/", 200)
    assert line["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])


def test_without_a_sane_request_id_the_server_makes_one(platform: RunningPlatform) -> None:
    response = platform.client.get("/api/nothing-here", headers={"X-Request-ID": "a b\tc"})
    assert response.status_code == 404
    made = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    line = access_line(platform, made)
    assert (line["path"], line["status"]) == ("/api/nothing-here", 404)
    assert "exception" not in line


def test_every_line_is_json_and_none_names_the_client(platform: RunningPlatform) -> None:
    platform.client.get("/health")
    lines = logged(platform)  # each line parsed, or this fails
    assert lines
    assert all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    naming_the_client = [
        line
        for line in lines
        if "127.0.0.1" in json.dumps(line)
        and not line["message"].startswith("EventLens listening on http://127.0.0.1:")
    ]
    assert naming_the_client == []
    assert any(line["logger"] == "eventlens.access" for line in lines)
