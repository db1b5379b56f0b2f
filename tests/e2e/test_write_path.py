"""The write path end to end: `eventlens up` as a process, on both event stores."""

from __future__ import annotations

import os
import stat
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from confluent_kafka import Consumer

from eventlens.eventstore.port import TRACKED_STREAM
from tests.e2e.platform import RunningPlatform, snippet_body

pytestmark = [pytest.mark.postgres]


def test_an_ingested_seed_event_shows_in_recent_events_and_the_master_log(
    platform: RunningPlatform,
) -> None:
    container_id = platform.setup_seed_site()

    response = platform.client.post("/api/events/ingest", json=snippet_body(container_id))

    assert response.status_code == 202, response.text
    event_id = response.json()["event_id"]
    [event] = platform.wait_for_recent(1)
    assert event["event_id"] == event_id
    assert event["container_id"] == container_id
    assert event["properties"]["page_path"] == "/"
    with psycopg.connect(platform.env["EVENTLENS_DATABASE_URL"]) as conn:
        row = conn.execute(
            "SELECT schema_id, event_type FROM event_logs WHERE event_id = %s", (event_id,)
        ).fetchone()
    assert row == ("portfolio_events", "page_view")


@pytest.mark.parametrize("platform", ["kafka"], indirect=True)
def test_in_kafka_mode_events_can_be_read_from_the_topic_by_any_consumer(
    platform: RunningPlatform,
) -> None:
    container_id = platform.setup_seed_site()
    event_id = platform.client.post("/api/events/ingest", json=snippet_body(container_id)).json()[
        "event_id"
    ]
    consumer = Consumer(
        {
            "bootstrap.servers": platform.env["EVENTLENS_KAFKA_BOOTSTRAP"],
            "group.id": f"analyst-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
        }
    )
    consumer.subscribe([platform.env["EVENTLENS_KAFKA_TOPIC_PREFIX"] + TRACKED_STREAM])
    seen = []
    for _ in range(60):
        message = consumer.poll(0.5)
        if message is not None and message.error() is None:
            seen.append(message.value())
            break
    consumer.close()
    assert seen and event_id.encode() in seen[0]


def test_killing_the_process_right_after_acknowledgements_loses_and_duplicates_nothing(
    platform: RunningPlatform,
) -> None:
    container_id = platform.setup_seed_site()
    bodies = [
        snippet_body(container_id, event_id=str(uuid.uuid4()), session_id=f"s{i % 7}")
        for i in range(120)
    ]

    def send(body: dict[str, object]) -> int:
        return platform.client.post("/api/events/ingest", json=body).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(send, bodies))
    platform.kill()  # SIGKILL right after the last 202
    assert statuses == [202] * len(bodies)

    platform.restart()
    # A client that never saw its answers retries: still recorded once.
    assert {send(b) for b in bodies[:10]} == {202}
    events = platform.wait_for_recent(len(bodies))

    assert sorted(e["event_id"] for e in events) == sorted(str(b["event_id"]) for b in bodies)
    with psycopg.connect(platform.env["EVENTLENS_DATABASE_URL"]) as conn:
        row = conn.execute("SELECT count(*), count(DISTINCT event_id) FROM event_logs").fetchone()
    assert row == (len(bodies), len(bodies))


def test_the_embedded_default_keeps_everything_across_restarts_and_has_no_fixed_password(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in ("EVENTLENS_DATABASE_URL", "EVENTLENS_ADMIN_PASSWORD", "EVENTLENS_KAFKA_BOOTSTRAP")
    }
    running = RunningPlatform(tmp_path / "data")
    running.env = {**env, "EVENTLENS_LOG_LEVEL": "WARNING"}
    try:
        running.start()
        password_file = tmp_path / "data" / "admin-password"
        assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
        password = password_file.read_text().strip()
        assert len(password) >= 16
        assert password in running.log.read_text()  # printed once, on first start
        assert (
            running.client.post(
                "/api/auth/login", json={"username": "admin", "password": "admin123"}
            ).status_code
            == 401
        )
        running._token = running.login(password=password)
        container_id = running.setup_seed_site()
        assert (
            running.client.post("/api/events/ingest", json=snippet_body(container_id)).status_code
            == 202
        )
        assert len(running.wait_for_recent(1)) == 1
        running.stop()
        # Stopping `eventlens up` (SIGTERM) stops the PostgreSQL server it started.
        assert not (tmp_path / "data" / "postgres" / "postmaster.pid").exists()

        running.restart()
        running._token = running.login(password=password)
        assert len(running.recent()) == 1
        assert (
            running.client.get("/api/schemas/portfolio_events", headers=running.auth()).status_code
            == 200
        )
    finally:
        running.close()
