"""The access log: one line per REST request, none per ingested event, and no errors."""

from __future__ import annotations

import time

from tests.e2e.platform import RunningPlatform, snippet_body


def test_requests_are_logged_once_each_and_ingest_logs_nothing(
    shared_platform: RunningPlatform,
) -> None:
    container_id = shared_platform.setup_seed_site()
    marker = f"/api/events/recent?limit={int(time.time()) % 1000 + 1}"
    assert shared_platform.client.get(marker, headers=shared_platform.auth()).status_code == 200
    for _ in range(3):
        response = shared_platform.client.post(
            "/api/events/ingest", json=snippet_body(container_id)
        )
        assert response.status_code == 202

    deadline = time.monotonic() + 10
    while f'"GET {marker} HTTP/1.1" 200' not in shared_platform.log.read_text():
        assert time.monotonic() < deadline, "the request was not logged"
        time.sleep(0.1)
    log = shared_platform.log.read_text()
    assert log.count(f"GET {marker} ") == 1
    [line] = [line for line in log.splitlines() if f"GET {marker} " in line]
    assert "127.0.0.1" not in line  # the client's address is never logged
    assert "POST /api/events/ingest" not in log
    assert "Traceback" not in log
    assert "--- Logging error ---" not in log
