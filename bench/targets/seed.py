"""The seed-design baseline under test: its own database on the shared PostgreSQL server and
its own topic on the shared broker."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterator, Sequence

import psutil
import psycopg

from bench.core import BenchmarkFailure, RunContext
from bench.events import tag_range
from bench.procs import free_port, server_process, uvicorn_args
from bench.services.kafka import KafkaBroker, kafka_broker
from bench.services.postgres import PostgresServer, postgres_server
from bench.targets import Target

TABLES = ("event_logs", "events_portfolio_events")
PARTITIONS = 6  # as many as EventLens gives analytics.events


class SeedCounter:
    """Both tables and the topic must hold every event once."""

    def __init__(self, database_url: str, broker: KafkaBroker, topic: str) -> None:
        self.url = database_url
        self.broker = broker
        self.topic = topic

    def _totals(self) -> tuple[int, ...]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            rows = [conn.execute(f"SELECT count(*) FROM {t}").fetchone() for t in TABLES]
        return (*(int(r[0]) if r else 0 for r in rows), self.broker.message_count(self.topic))

    def wait_settled(self) -> None:
        # Requests in flight when wrk stopped still commit and publish; wait for them.
        deadline = time.monotonic() + 30
        totals = self._totals()
        while len(set(totals)) != 1 and time.monotonic() < deadline:
            time.sleep(0.5)
            totals = self._totals()

    def count_tags(self, tags: Sequence[str]) -> dict[str, int]:
        counts = {}
        with psycopg.connect(self.url, autocommit=True) as conn:
            for tag in tags:
                per_table = []
                for table in TABLES:
                    row = conn.execute(
                        f"SELECT count(*) FROM {table} WHERE event_id BETWEEN %s AND %s",
                        tag_range(tag),
                    ).fetchone()
                    per_table.append(int(row[0]) if row else 0)
                if len(set(per_table)) != 1:
                    raise BenchmarkFailure(f"seed run {tag}: tables disagree: {per_table}")
                counts[tag] = per_table[0]
        return counts

    def check_total(self, expected: int) -> None:
        totals = self._totals()
        if any(total != expected for total in totals):
            raise BenchmarkFailure(
                f"seed: {dict(zip((*TABLES, self.topic), totals, strict=True))}, "
                f"the runs account for {expected}"
            )


@contextlib.contextmanager
def seed_design(ctx: RunContext, await_delivery: bool = False) -> Iterator[Target]:
    """The seed's design; `await_delivery`: its strict variant, answering only after the
    broker's delivery report."""
    name = "seed-design-await" if await_delivery else "seed-design"
    broker: KafkaBroker = ctx.service("kafka", kafka_broker)
    pg: PostgresServer = ctx.service("postgres", postgres_server)
    database_url = pg.create_database(name.replace("-", "_"))
    topic = f"seed{secrets.token_hex(3)}.analytics.events"
    broker.create_topic(topic, PARTITIONS)
    port = free_port()
    env = {
        "SEED_DATABASE_URL": database_url,
        "SEED_KAFKA_BOOTSTRAP": broker.bootstrap,
        "SEED_KAFKA_TOPIC": topic,
        "SEED_AWAIT_DELIVERY": "1" if await_delivery else "0",
    }
    args = uvicorn_args("bench.baselines.seed_design:app", port)
    log = ctx.scratch("logs") / f"{name}.log"
    with server_process(name, args, port, log, env) as server:

        def app_pids() -> list[int]:
            return [server.pid] if psutil.pid_exists(server.pid) else []

        yield Target(
            name=name,
            description="the seed's design: FastAPI + pydantic, INSERT into event_logs and "
            "events_portfolio_events, COMMIT, publish to Kafka"
            + (" and wait for the delivery report" if await_delivery else " (produce + poll)")
            + ", per request",
            base_url=server.base_url,
            container_id="CAP-SEED",
            counter=SeedCounter(database_url, broker, topic),
            batch=False,
            cpu_groups={"app": app_pids, "db": pg.pids, "broker": broker.pids},
            database_url=database_url,
        )
