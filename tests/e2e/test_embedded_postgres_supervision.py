"""`eventlens up` supervises its embedded PostgreSQL: a server killed under it (SIGKILL of the
postmaster) is started again on the same port, with a log line that says so, and ingest and
the projection workers resume without a restart of EventLens. A client that sends again with
its events' ids ends with every event stored exactly once."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventlens import embedded_postgres
from eventlens.runtime.embedded_watch import postmaster_pid
from tests.e2e.outages import (
    ANSWER_BOUND,
    RetryingClient,
    postgres_store_counts,
    wait_for_event_logs,
)
from tests.e2e.platform import ADMIN_PASSWORD, RunningPlatform

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[RunningPlatform]:
    """`eventlens up` with its own embedded server, as a user runs it."""
    env = {"EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD, "EVENTLENS_INGEST_RATE_LIMIT": "0"}
    platform = RunningPlatform(tmp_path / "data", env)
    try:
        yield platform.start()
    finally:
        platform.close()


def wait_for_log(platform: RunningPlatform, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while text not in platform.log.read_text():
        assert time.monotonic() < deadline, platform.log.read_text()[-3000:]
        time.sleep(0.2)


def test_a_killed_embedded_postgres_is_restarted_and_ingest_resumes(
    embedded: RunningPlatform,
) -> None:
    pgdata = embedded.data_dir / "postgres"
    database_url = embedded_postgres.read_dsn(embedded.data_dir)
    assert database_url is not None
    assert embedded.process is not None
    eventlens_pid = embedded.process.pid
    client = RetryingClient(embedded, embedded.setup_seed_site())
    # Given events accepted and projected
    assert {a.status for a in client.new_events(10)} == {202}
    wait_for_event_logs(database_url, client.accepted)

    # When the postmaster is killed
    killed = postmaster_pid(pgdata)
    assert killed is not None
    os.kill(killed, signal.SIGKILL)

    # Then ingest answers in bounded time meanwhile: refused (503) until the server is back
    for attempt in client.new_events(5):
        assert attempt.status in (202, 503), attempt
        assert attempt.seconds < ANSWER_BOUND, attempt

    # and `eventlens up` starts the server again on the same port, and says so
    wait_for_log(embedded, "the embedded PostgreSQL is not running")
    wait_for_log(embedded, "restarted the embedded PostgreSQL on port")
    restarted = postmaster_pid(pgdata)
    assert restarted is not None and restarted != killed
    assert embedded_postgres.read_dsn(embedded.data_dir) == database_url

    # and ingest and the workers resume, without a restart of EventLens
    client.retry_until_accepted()
    assert {a.status for a in client.new_events(10)} == {202}
    assert embedded.process.poll() is None and embedded.process.pid == eventlens_pid
    stored = postgres_store_counts(database_url)
    assert {stored[event_id] for event_id in client.accepted} == {1}
    projected = wait_for_event_logs(database_url, client.accepted)
    assert {projected[event_id] for event_id in client.accepted} == {1}
    assert sum(projected.values()) == 25
