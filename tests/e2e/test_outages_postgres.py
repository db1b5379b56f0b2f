"""PostgreSQL down, and restarted by its operator, in both event-store modes.

PostgreSQL mode: ingest answers 503 with Retry-After within a bounded time while the database
is away, and recovers by itself when it returns. Kafka mode: ingest keeps accepting (Kafka is
the store, the catalog is cached), `/ready` shows the outage and the lag, and the projections
catch up when the database returns. Either way a client that sends again with its events' ids
ends with every event stored exactly once, and every pool (reads, the catalog, the workers')
works again after the restart. The server is the test's own, stopped and started again on the
same port and data directory; EventLens is given its URL, as with any external database."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.outages import (
    RetryingClient,
    assert_refused_in_bounded_time,
    kafka_store_counts,
    postgres_store_counts,
    wait_for_event_logs,
)
from tests.e2e.platform import SEED_SCHEMA, RunningPlatform, running_on
from tests.services import RestartablePostgres

pytestmark = [pytest.mark.postgres]


def assert_every_pool_reconnected(platform: RunningPlatform, accepted: list[str]) -> None:
    """Sign-in (the catalog's and the read pool's connections), a catalog command, REST and
    GraphQL reads all work again after the restart, without a restart of EventLens."""
    platform._token = None
    created = platform.admin_post("/api/schemas/", {**SEED_SCHEMA, "name": "after_restart"})
    assert created.status_code == 201, created.text
    recent = platform.wait_for_recent(len(accepted), timeout=30)
    assert {e["event_id"] for e in recent} >= set(accepted)
    graphql(platform, "{ projectionLag { projection } }")


def test_postgres_mode_refuses_in_bounded_time_while_the_database_is_away_and_recovers(
    tmp_path: Path, database_server: RestartablePostgres
) -> None:
    with running_on(
        database_server.url, tmp_path / "data", EVENTLENS_INGEST_RATE_LIMIT="0"
    ) as platform:
        client = RetryingClient(platform, platform.setup_seed_site())
        # Given events accepted while the database runs
        assert {a.status for a in client.new_events(10)} == {202}

        # When its operator stops it, events are refused with 503 and Retry-After, in time
        database_server.stop()
        assert_refused_in_bounded_time(client.new_events(5))
        assert_refused_in_bounded_time(client.retry_waiting())
        # and a read is refused too, not failed
        read = platform.client.get("/api/events/recent", headers=platform.auth())
        assert read.status_code == 503, read.text
        assert read.headers["retry-after"] == "1"

        # Then once it is back the retries are accepted, and new events too
        database_server.start()
        client.retry_until_accepted()
        assert {a.status for a in client.new_events(10)} == {202}

        # And every event is stored exactly once: in the store's log and in event_logs
        database_url = platform.env["EVENTLENS_DATABASE_URL"]
        assert len(client.accepted) == 25
        stored = postgres_store_counts(database_url)
        assert {stored[event_id] for event_id in client.accepted} == {1}
        projected = wait_for_event_logs(database_url, client.accepted)
        assert {projected[event_id] for event_id in client.accepted} == {1}
        assert sum(projected.values()) == 25
        assert_every_pool_reconnected(platform, client.accepted)


HEALTH = "{ databaseHealth { available problem } projectionLag { projection eventsBehind } }"


def graphql(platform: RunningPlatform, query: str) -> dict[str, Any]:
    answer = platform.client.post("/graphql", json={"query": query}, headers=platform.auth())
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    data: dict[str, Any] = answer.json()["data"]
    return data


def postmaster_pid(server: RestartablePostgres) -> int:
    return int((server.workdir / "postgres" / "postmaster.pid").read_text().split()[0])


def children_of(parent_pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if parent == parent_pid:
            children.append(int(stat.parent.name))
    return children


def signal_each(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


@contextlib.contextmanager
def paused_server(server: RestartablePostgres) -> Iterator[None]:
    """Every process of the server paused. The postmaster is paused first, so no child is
    started or reaped while the others are listed, and resumed last, so every listed pid
    still names its process when it is resumed."""
    postmaster = postmaster_pid(server)
    os.kill(postmaster, signal.SIGSTOP)
    children = children_of(postmaster)
    signal_each(children, signal.SIGSTOP)
    try:
        yield
    finally:
        signal_each(children, signal.SIGCONT)
        os.kill(postmaster, signal.SIGCONT)


def test_a_database_that_stops_answering_is_refused_in_bounded_time_and_recovers(
    tmp_path: Path, database_server: RestartablePostgres
) -> None:
    """Stalled, not stopped: its connections stay open and nothing answers (its processes are
    paused), so only the event store's own deadlines end the wait. A statement sent before the
    stall may still commit once it ends: its event was answered 503, and its retry with the
    same id is recorded once."""
    with running_on(
        database_server.url, tmp_path / "data", EVENTLENS_INGEST_RATE_LIMIT="0"
    ) as platform:
        client = RetryingClient(platform, platform.setup_seed_site())
        assert {a.status for a in client.new_events(10)} == {202}
        with paused_server(database_server):
            assert_refused_in_bounded_time(client.new_events(3))
        client.retry_until_accepted()
        assert {a.status for a in client.new_events(5)} == {202}
        database_url = platform.env["EVENTLENS_DATABASE_URL"]
        stored = postgres_store_counts(database_url)
        assert {stored[event_id] for event_id in client.accepted} == {1}
        projected = wait_for_event_logs(database_url, client.accepted)
        assert {projected[event_id] for event_id in client.accepted} == {1}


def ready(platform: RunningPlatform, status: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = platform.client.get("/ready", timeout=15).json()
        if body.get("status") == status or time.monotonic() > deadline:
            assert body.get("status") == status, body
            return body
        time.sleep(0.3)


@pytest.mark.kafka
def test_kafka_mode_keeps_accepting_while_the_database_is_away_and_catches_up(
    tmp_path: Path,
    database_server: RestartablePostgres,
    kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    with running_on(
        database_server.url,
        tmp_path / "data",
        EVENTLENS_KAFKA_BOOTSTRAP=kafka_bootstrap,
        EVENTLENS_KAFKA_TOPIC_PREFIX=topic_prefix,
        EVENTLENS_KAFKA_PARTITIONS="3",
        EVENTLENS_INGEST_RATE_LIMIT="0",
    ) as platform:
        database_url = platform.env["EVENTLENS_DATABASE_URL"]
        client = RetryingClient(platform, platform.setup_seed_site())
        # Given events accepted and projected
        assert {a.status for a in client.new_events(10)} == {202}
        wait_for_event_logs(database_url, client.accepted)
        assert ready(platform, "ready")["database"] == {"status": "ok"}

        # When the database stops, ingest keeps accepting: Kafka is the store
        database_server.stop()
        assert {a.status for a in client.new_events(10)} == {202}

        # and /ready shows the outage, and the lag of the events not projected yet
        degraded = ready(platform, "degraded")
        assert degraded["database"]["status"] == "unavailable"
        assert degraded["event_store"] == "kafka"
        lags = {lag["projection"]: lag for lag in degraded["projections"]}
        assert lags["events"]["events_behind"] >= 10
        # and so does GraphQL, which the dashboard's pipeline page reads them from
        health = graphql(platform, HEALTH)
        assert health["databaseHealth"]["available"] is False
        assert "unavailable" in health["databaseHealth"]["problem"]
        behind = {lag["projection"]: lag["eventsBehind"] for lag in health["projectionLag"]}
        assert behind["events"] >= 10

        # Then when it returns the projections catch up, each event exactly once
        database_server.start()
        projected = wait_for_event_logs(database_url, client.accepted)
        assert {projected[event_id] for event_id in client.accepted} == {1}
        assert sum(projected.values()) == 20
        in_topic = kafka_store_counts(kafka_bootstrap, topic_prefix + "analytics.events")
        assert {in_topic[event_id] for event_id in client.accepted} == {1}
        assert ready(platform, "ready")["database"] == {"status": "ok"}
        assert graphql(platform, HEALTH)["databaseHealth"] == {"available": True, "problem": None}
        assert_every_pool_reconnected(platform, client.accepted)
