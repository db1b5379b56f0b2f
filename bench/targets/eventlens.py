"""EventLens under test: `eventlens up` with the PostgreSQL event store (embedded database)
or with the Kafka event store (a PostgreSQL server for the read models)."""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path

import psycopg

from bench.core import BenchmarkFailure, RunContext
from bench.events import tag_range
from bench.ledger import LedgerCheck, check_ledger
from bench.procstats import PidSource
from bench.services.eventlens import EventLens, eventlens_up
from bench.services.kafka import KafkaBroker, kafka_broker
from bench.services.postgres import PostgresServer, postgres_server
from bench.targets import Target
from bench.verify import EventCounter, wait_until
from eventlens.eventstore.port import REJECTED_STREAM, TRACKED_STREAM

LOG_TABLE = "eventstore_log"
READ_MODEL = "event_logs"


def _count_range(conn: psycopg.Connection, table: str, tag: str, where: str = "") -> int:
    low, high = tag_range(tag)
    row = conn.execute(
        f"SELECT count(*) FROM {table} WHERE event_id BETWEEN %s AND %s {where}",
        (low, high),
    ).fetchone()
    return int(row[0]) if row else 0


def _scalar(conn: psycopg.Connection, query: str, params: Sequence[object] = ()) -> int:
    row = conn.execute(query, params).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def _inserted(conn: psycopg.Connection) -> int:
    """Rows ever inserted into the read model (statistics): progress while catching up. The
    table is partitioned per schema, and only its partitions count their rows."""
    return _scalar(
        conn,
        "SELECT sum(s.n_tup_ins) FROM pg_stat_user_tables s "
        "JOIN pg_partition_tree(%s::regclass) t ON s.relid = t.relid",
        (READ_MODEL,),
    )


def _all_projected(conn: psycopg.Connection, event_ids: Sequence[str]) -> bool:
    found = _scalar(
        conn,
        f"SELECT count(*) FROM {READ_MODEL} WHERE event_id = ANY(%s::uuid[])",
        (list(event_ids),),
    )
    return found == len(set(event_ids))


class PostgresStoreCounter:
    """PostgreSQL mode: the event store `eventstore_log` and the read model `event_logs` must
    hold the same events, each once (both are unique on event_id).

    Projections apply the log in order, so they have caught up once the newest tracked event
    of the log is in `event_logs`."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url

    def wait_settled(self) -> None:
        def caught_up() -> tuple[bool, int]:
            with psycopg.connect(self.url, autocommit=True) as conn:
                row = conn.execute(
                    f"SELECT event_id::text FROM {LOG_TABLE} WHERE stream = %s "
                    "ORDER BY position DESC LIMIT 1",
                    (TRACKED_STREAM,),
                ).fetchone()
                done = row is None or _all_projected(conn, [row[0]])
                return done, _inserted(conn)

        time.sleep(0.5)  # requests in flight when wrk stopped
        wait_until("the event_logs projection catching up", caught_up)

    def count_tags(self, tags: Sequence[str]) -> dict[str, int]:
        counts = {}
        with psycopg.connect(self.url, autocommit=True) as conn:
            for tag in tags:
                stored = _count_range(conn, LOG_TABLE, tag, f"AND stream = '{TRACKED_STREAM}'")
                projected = _count_range(conn, READ_MODEL, tag)
                if stored != projected:
                    raise BenchmarkFailure(
                        f"run {tag}: {stored} events in the store but {projected} in event_logs"
                    )
                counts[tag] = projected
        return counts

    def check_total(self, expected: int) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            query = f"SELECT stream, count(*) FROM {LOG_TABLE} GROUP BY stream"
            rows: dict[str, int] = {s: int(n) for s, n in conn.execute(query).fetchall()}
            projected = _scalar(conn, f"SELECT count(*) FROM {READ_MODEL}")
        stored, rejected = rows.get(TRACKED_STREAM, 0), rows.get(REJECTED_STREAM, 0)
        if rejected:
            raise BenchmarkFailure(f"{rejected} benchmark events were rejected")
        if not stored == projected == expected:
            raise BenchmarkFailure(
                f"store holds {stored}, event_logs {projected}, the runs account for {expected}"
            )


class KafkaStoreCounter:
    """Kafka mode: the topic and `event_logs` must agree, so no event was lost and none was
    written to the topic twice.

    Projections apply each partition in offset order, so they have caught up once the newest
    message of every partition is in `event_logs`."""

    def __init__(self, database_url: str, broker: KafkaBroker, prefix: str) -> None:
        self.url = database_url
        self.broker = broker
        self.topic = prefix + TRACKED_STREAM
        self.rejected_topic = prefix + REJECTED_STREAM

    def wait_settled(self) -> None:
        def caught_up() -> tuple[bool, int]:
            newest = self.broker.last_messages(self.topic).values()
            ids = [str(json.loads(value)["event_id"]) for value in newest]
            with psycopg.connect(self.url, autocommit=True) as conn:
                return _all_projected(conn, ids), _inserted(conn)

        time.sleep(0.5)  # requests in flight when wrk stopped
        wait_until("the event_logs projection catching up with Kafka", caught_up)

    def count_tags(self, tags: Sequence[str]) -> dict[str, int]:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return {tag: _count_range(conn, READ_MODEL, tag) for tag in tags}

    def check_total(self, expected: int) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            projected = _scalar(conn, f"SELECT count(*) FROM {READ_MODEL}")
        in_topic = self.broker.message_count(self.topic)
        rejected = self.broker.message_count(self.rejected_topic)
        if rejected:
            raise BenchmarkFailure(f"{rejected} benchmark events were rejected")
        if not in_topic == projected == expected:
            raise BenchmarkFailure(
                f"topic holds {in_topic}, event_logs {projected}, the runs account for {expected}"
            )


def per_event_check(target: Target) -> Callable[[Path, Sequence[str]], LedgerCheck] | None:
    """How a ledger of ids sent to `target` from now on is checked one by one (`bench.ledger`):
    in its store (in Kafka mode the topic itself, read from its offsets now) and in
    `event_logs`. None unless EventLens."""
    counter = target.counter
    if isinstance(counter, PostgresStoreCounter):
        return partial(check_ledger, counter.url)
    if isinstance(counter, KafkaStoreCounter):
        since = {p: high for p, _, high in counter.broker.watermarks(counter.topic)}
        kafka = (counter.broker, counter.topic)
        return partial(check_ledger, counter.url, kafka=kafka, since=since)
    return None


def _target(
    name: str,
    description: str,
    app: EventLens,
    counter: EventCounter,
    services: dict[str, PidSource],
) -> Target:
    """Set the seed's site up; CPU is measured for the app and `services`, memory for the app
    and, when embedded, its PostgreSQL."""
    memory = {"app": app.app_pids, **({"db": app.db_pids} if app.embedded else {})}
    return Target(
        name=name,
        description=description,
        base_url=app.server.base_url,
        container_id=app.setup_seed_site(),
        counter=counter,
        batch=True,
        cpu_groups={"app": app.app_pids, **services},
        memory_groups=memory,
        database_url=app.database_url,
    )


@contextlib.contextmanager
def embedded(ctx: RunContext) -> Iterator[Target]:
    """`eventlens up` as a user runs it: embedded PostgreSQL, PostgreSQL event store."""
    with eventlens_up(ctx.fresh_dir("eventlens-embedded") / "data") as app:
        yield _target(
            "eventlens-postgres",
            "EventLens, `eventlens up`: embedded PostgreSQL event store, workers as a child",
            app,
            PostgresStoreCounter(app.database_url),
            {"db": app.db_pids},
        )


def kafka_store_env(
    broker: KafkaBroker, pg: PostgresServer, name: str
) -> tuple[dict[str, str], str]:
    """The environment of an `eventlens up` with the Kafka event store, on topics and a
    database of its own (named after `name`); returns it and the topics' prefix."""
    prefix = f"{name}{secrets.token_hex(3)}."
    env = {
        "EVENTLENS_DATABASE_URL": pg.create_database(f"{name}_eventlens"),
        "EVENTLENS_KAFKA_BOOTSTRAP": broker.bootstrap,
        "EVENTLENS_KAFKA_TOPIC_PREFIX": prefix,
    }
    return env, prefix


@contextlib.contextmanager
def kafka_mode(ctx: RunContext) -> Iterator[Target]:
    """`eventlens up` with the Kafka event store and a PostgreSQL server for the read models."""
    broker = ctx.service("kafka", kafka_broker)
    pg: PostgresServer = ctx.service("postgres", postgres_server)
    env, prefix = kafka_store_env(broker, pg, "bench")
    with eventlens_up(ctx.fresh_dir("eventlens-kafka") / "data", env) as app:
        yield _target(
            "eventlens-kafka",
            "EventLens, `eventlens up` with EVENTLENS_KAFKA_BOOTSTRAP: Kafka event store",
            app,
            KafkaStoreCounter(app.database_url, broker, prefix),
            {"db": pg.pids, "broker": broker.pids},
        )
