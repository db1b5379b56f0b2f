"""Workers killed at random instants (SIGKILL) leave exact read models; Kafka workers share
partitions through a consumer group and take over a dead member's share."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.projections.distinct_count import merged_count
from tests.integration.backends import Backend, tracked

pytestmark = [pytest.mark.postgres]
SESSIONS = 40


class WorkerProcess:
    def __init__(self, backend: Backend) -> None:
        env = {
            **os.environ,
            "EVENTLENS_DATABASE_URL": backend.database_url,
            "EVENTLENS_LOG_LEVEL": "WARNING",
        }
        if backend.settings.kafka_bootstrap:
            env["EVENTLENS_KAFKA_BOOTSTRAP"] = backend.settings.kafka_bootstrap
            env["EVENTLENS_KAFKA_TOPIC_PREFIX"] = backend.settings.kafka_topic_prefix
            env["EVENTLENS_KAFKA_PARTITIONS"] = str(backend.settings.kafka_partitions)
        self.process = subprocess.Popen([sys.executable, "-m", "eventlens.cli", "worker"], env=env)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def workers(backend: Backend) -> Iterator[list[WorkerProcess]]:
    running: list[WorkerProcess] = []
    yield running
    for worker in running:
        worker.stop()


def wait_for(backend: Backend, query: str, expected: int, timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = backend.count(query)
        except psycopg.errors.UndefinedTable:
            found = -1
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def assert_exact(backend: Backend, total: int) -> None:
    assert backend.count("SELECT count(*) FROM event_logs") == total
    assert backend.count("SELECT count(DISTINCT event_id) FROM event_logs") == total
    assert backend.count("SELECT count(*) FROM events_portfolio_events") == total
    for table in ("stats_minutely", "stats_hourly", "stats_daily"):
        assert backend.count(f"SELECT coalesce(sum(events), 0) FROM {table}") == total
    with psycopg.connect(backend.database_url) as conn:
        sketches = conn.execute("SELECT sessions FROM stats_daily_uniques").fetchall()
    assert merged_count(r[0] for r in sketches) == SESSIONS


def test_killing_workers_at_random_instants_leaves_exact_read_models(
    backend: Backend, workers: list[WorkerProcess]
) -> None:
    rng = random.Random(20261128)
    register_schema(
        RegisterSchema(SYSTEM, "portfolio_events", None, {"page_view": {}}), backend.catalog
    )
    kills = 3 if backend.settings.kafka_bootstrap else 6
    per_round = 400
    with backend.running_store() as store:
        workers.append(WorkerProcess(backend))
        for round_ in range(kills):
            store.append(
                [
                    tracked(session=f"s{i % SESSIONS}", n=i)
                    for i in range(round_ * per_round, (round_ + 1) * per_round)
                ]
            )
            time.sleep(rng.uniform(0.2, 1.5))
            workers[-1].kill()
            workers.append(WorkerProcess(backend))
    total = kills * per_round

    assert wait_for(backend, "SELECT count(*) FROM event_logs", total) == total
    assert_exact(backend, total)


@pytest.mark.parametrize("backend", ["kafka"], indirect=True)
def test_kafka_workers_split_the_partitions_and_take_over_a_dead_members_share(
    backend: Backend, workers: list[WorkerProcess]
) -> None:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    group = f"{backend.settings.kafka_topic_prefix}eventlens-projection-events"
    admin = AdminClient({"bootstrap.servers": backend.settings.kafka_bootstrap})

    def members() -> list[set[tuple[str, int]]]:
        for _ in range(20):  # the group coordinator may be moving: ask again
            try:
                description = admin.describe_consumer_groups([group])[group].result()
                break
            except KafkaException:
                time.sleep(0.5)
        else:
            raise AssertionError("the consumer group could not be described")
        return [
            {(tp.topic, tp.partition) for tp in m.assignment.topic_partitions}
            for m in description.members
        ]

    with backend.running_store() as store:
        store.append([tracked(session=f"s{i % SESSIONS}", n=i) for i in range(300)])
        workers.extend([WorkerProcess(backend), WorkerProcess(backend)])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (len(shares := members()) == 2 and all(shares)):
            time.sleep(0.5)
        shares = members()
        assert len(shares) == 2 and all(shares), shares
        assert not (shares[0] & shares[1])

        workers[0].kill()
        store.append([tracked(session=f"s{i % SESSIONS}", n=i) for i in range(300, 600)])

    assert wait_for(backend, "SELECT count(*) FROM event_logs", 600) == 600
    assert_exact(backend, 600)
    [survivor] = members()
    assert (
        len({p for _, p in survivor if _.endswith("analytics.events")})
        == backend.settings.kafka_partitions
    )
