"""Event history for the projection and replay benchmarks: a site registered in the catalog,
realistic tracked events appended straight into the event store (PostgreSQL or Kafka, not
through HTTP), `eventlens worker` as a separate process, and the checks on what it built."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench.core import PYTHONPATH, ROOT, BenchmarkFailure
from bench.procs import ManagedProcess
from bench.services.eventlens import SEED_ADAPTOR, SEED_SCHEMA
from eventlens.domain.event_ids import new_event_id
from eventlens.domain.tracking import TrackedEvent
from eventlens.eventstore.port import TRACKED_STREAM

BATCH = 5_000  # events per append (one transaction / one produce burst)
IN_FLIGHT = 3  # appends queued while the next batch is generated
VISITORS = 20_000
DAYS = 7  # the history spans the last week, in time order
EVENTS_PROJECTION = "events"

# The seed's event types, with a plausible mix (page views dominate).
MIX = (
    ("page_view", 60),
    ("navigation_click", 15),
    ("github_project_click", 10),
    ("external_link_click", 7),
    ("linkedin_profile_click", 4),
    ("email_link_click", 4),
)
PAGES = [
    "/",
    "/about",
    "/projects",
    "/contact",
    "/blog",
    "/cv",
    *(f"/projects/project-{i}" for i in range(12)),
    *(f"/blog/post-{i}" for i in range(12)),
]
LINKS = [f"link {i}" for i in range(40)]
AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 Version/17.2 Safari",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) Mobile/15E148 Safari/604.1",
]


def register_site(database_url: str) -> str:
    """The seed's schema and an adaptor, recorded in the catalog as `POST /api/schemas/` and
    `POST /api/adaptors/` would; returns the container id."""
    from eventlens.commands.actor import SYSTEM
    from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
    from eventlens.commands.register_schema import RegisterSchema, register_schema
    from eventlens.eventstore.catalog import open_catalog

    catalog = open_catalog(database_url)
    try:
        register_schema(
            RegisterSchema(
                SYSTEM,
                str(SEED_SCHEMA["name"]),
                str(SEED_SCHEMA["description"]),
                SEED_SCHEMA["properties"],
            ),
            catalog,
        )
        adaptor = create_adaptor(
            CreateAdaptor(
                SYSTEM,
                name=SEED_ADAPTOR["name"],
                schema_name=SEED_ADAPTOR["schema_id"],
                website_urls=[SEED_ADAPTOR["website_url"]],
                description=SEED_ADAPTOR["description"],
            ),
            catalog,
        )
        return adaptor.container_id
    finally:
        catalog.close()


@dataclass
class History:
    """What was generated: per event type, and in total."""

    by_type: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def generate(
    n: int, container_id: str, history: History, seed: int = 7
) -> Iterator[list[TrackedEvent]]:
    """`n` events of the seed's site over the last `DAYS` days, oldest first, in batches."""
    rng = random.Random(seed)
    types = [t for t, w in MIX for _ in range(w)]
    end = datetime.now(UTC)
    start = end - timedelta(days=DAYS)
    step = (end - start) / max(n, 1)
    schema = str(SEED_SCHEMA["name"])
    for first in range(0, n, BATCH):
        batch = []
        for i in range(first, min(first + BATCH, n)):
            moment = start + step * i
            visitor = rng.randrange(VISITORS)
            event_type = rng.choice(types)
            page = rng.choice(PAGES)
            properties: dict[str, Any] = {
                "page_path": page,
                "page_url": "http://localhost:8080" + page,
                "container_id": container_id,
            }
            if event_type == "page_view":
                properties["page_title"] = page.strip("/").replace("-", " ").title() or "Home"
            else:
                link = rng.choice(LINKS)
                properties["link_text"] = link
                properties["href"] = "https://example.com/" + link.replace(" ", "-")
            batch.append(
                TrackedEvent(
                    event_id=new_event_id(int(moment.timestamp() * 1000)),  # as the snippet makes
                    schema_id=schema,
                    event_type=event_type,
                    received_at=moment + timedelta(milliseconds=rng.randrange(20, 400)),
                    container_id=container_id,
                    user_id=f"user_1732780000000_{visitor:09d}",
                    session_id=f"session_{moment:%Y%m%d}_{visitor:09d}",
                    client_timestamp=moment,
                    properties=properties,
                    metadata={"user_agent": rng.choice(AGENTS), "viewport": "1440x900"},
                )
            )
            history.by_type[event_type] += 1
        yield batch


async def _append_all(store: Any, batches: Iterator[list[TrackedEvent]]) -> None:
    """Append every batch, keeping up to `IN_FLIGHT` appends queued so the store writes one
    batch while the next is generated."""
    await store.start()
    pending: set[asyncio.Future[None]] = set()
    try:
        for batch in batches:
            pending.add(store.append_tracked(batch))
            await asyncio.sleep(0)  # let the append go out before generating the next batch
            if len(pending) >= IN_FLIGHT:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
        for task in pending:
            await task
    finally:
        await store.close()


@dataclass(frozen=True)
class Fill:
    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def fill_postgres(database_url: str, n: int, container_id: str, history: History) -> Fill:
    """Append `n` events to the PostgreSQL event store with `PostgresEventStore`."""
    from eventlens.eventstore.postgres import PostgresEventStore

    started = time.monotonic()
    asyncio.run(_append_all(PostgresEventStore(database_url), generate(n, container_id, history)))
    return Fill(n, time.monotonic() - started)


def fill_kafka(bootstrap: str, prefix: str, n: int, container_id: str, history: History) -> Fill:
    """Append `n` events to the Kafka event store (`KafkaEventStore`, topic prefix `prefix`)."""
    from eventlens.eventstore.kafka import KafkaEventStore

    started = time.monotonic()
    store = KafkaEventStore(bootstrap, prefix=prefix)
    asyncio.run(_append_all(store, generate(n, container_id, history)))
    return Fill(n, time.monotonic() - started)


# The worker ----------------------------------------------------------------------------


@dataclass
class WorkerProcess(ManagedProcess):
    started: float  # monotonic time of launch


def eventlens_env(database_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of an `eventlens` command against `database_url` (no other EVENTLENS_
    setting of the calling shell leaks in)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("EVENTLENS_")}
    return {
        **base,
        "PYTHONPATH": PYTHONPATH,
        "EVENTLENS_DATABASE_URL": database_url,
        "EVENTLENS_LOG_LEVEL": "WARNING",
        **(extra or {}),
    }


def eventlens_command(*args: str, data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "eventlens.cli", *args, "--data-dir", str(data_dir)]


@contextlib.contextmanager
def worker_process(
    database_url: str, scratch: Path, extra_env: dict[str, str] | None = None
) -> Iterator[WorkerProcess]:
    """`eventlens worker` as its own process; stopped (SIGTERM, then SIGKILL) afterwards."""
    log = scratch / "worker.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            eventlens_command("worker", data_dir=scratch / "data"),
            cwd=ROOT,
            env=eventlens_env(database_url, extra_env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess("eventlens worker", process, log, time.monotonic())
    try:
        yield worker
    finally:
        worker.stop()


@dataclass(frozen=True)
class Projected:
    """How long a worker took to bring the `events` projection to the head of the store."""

    events: int
    wall_s: float  # from the worker's launch to the head
    first_s: float  # from the launch to the first batch seen committed (start-up)
    steady_s: float  # from the first batch seen to the head
    steady_events: int  # events applied in `steady_s`

    @property
    def rate(self) -> float:
        """Events/s once running (start-up excluded)."""
        return self.steady_events / self.steady_s if self.steady_s > 0 else 0.0

    @property
    def wall_rate(self) -> float:
        return self.events / self.wall_s if self.wall_s > 0 else 0.0


def wait_projected(
    worker: WorkerProcess,
    progress: Callable[[], tuple[int, int]],
    stall_timeout: float = 60.0,
    interval: float = 0.05,
) -> Projected:
    """Poll `progress` (events applied, events at the head) until the worker reached the head.
    Fails if the worker dies or makes no progress for `stall_timeout` seconds."""
    first: tuple[float, int] | None = None
    last_change, last_done = time.monotonic(), -1
    while True:
        worker.check_alive()
        done, head = progress()
        now = time.monotonic()
        if done > 0 and first is None:
            first = (now, done)
        if done != last_done:
            last_change, last_done = now, done
        if head > 0 and done >= head:
            assert first is not None
            if head - first[1] < head // 2:
                raise BenchmarkFailure(
                    f"the worker had applied {first[1]:,} of {head:,} events by the first poll: "
                    "too few were left to time its rate; fill the store with more events"
                )
            return Projected(
                events=head,
                wall_s=now - worker.started,
                first_s=first[0] - worker.started,
                steady_s=now - first[0],
                steady_events=head - first[1],
            )
        if now - last_change > stall_timeout:
            raise BenchmarkFailure(
                f"the worker made no progress for {stall_timeout:.0f}s at {done:,}/{head:,} "
                f"events:\n{worker.tail()}"
            )
        time.sleep(interval)


def stored_positions(
    conn: psycopg.Connection, projection: str = EVENTS_PROJECTION
) -> dict[str, int]:
    try:
        rows = conn.execute(
            "SELECT source, position FROM projection_positions WHERE projection = %s",
            (projection,),
        ).fetchall()
    except psycopg.errors.UndefinedTable:
        return {}
    return {str(source): int(position) for source, position in rows}


def postgres_progress(conn: psycopg.Connection) -> Callable[[], tuple[int, int]]:
    """PostgreSQL mode: the `events` projection's stored log position against the newest
    tracked event's position (positions of a freshly filled store are 1..N)."""
    row = conn.execute(
        "SELECT coalesce(max(position), 0) FROM eventstore_log WHERE stream = %s",
        (TRACKED_STREAM,),
    ).fetchone()
    head = int(row[0]) if row else 0

    def progress() -> tuple[int, int]:
        next_position = stored_positions(conn).get("log", 1)
        return next_position - 1, head

    return progress


def kafka_progress(
    conn: psycopg.Connection, watermarks: list[tuple[int, int, int]], topic: str
) -> Callable[[], tuple[int, int]]:
    """Kafka mode: the stored offsets of every partition of the tracked topic against their
    high watermarks (the topic was filled before the worker started)."""
    head = sum(high - low for _, low, high in watermarks)
    lows = {p: low for p, low, _ in watermarks}

    def progress() -> tuple[int, int]:
        stored = stored_positions(conn)
        done = sum(stored[f"{topic}/{p}"] - lows[p] for p in lows if f"{topic}/{p}" in stored)
        return done, head

    return progress


# Checks --------------------------------------------------------------------------------


def _scalar(conn: psycopg.Connection, query: str) -> int:
    row = conn.execute(query).fetchone()
    return int(row[0]) if row and row[0] is not None else 0


def verify_projected(conn: psycopg.Connection, history: History) -> None:
    """Every generated event is in `event_logs` and counted once in every rollup, by type."""
    expected = history.total
    found = {
        "event_logs rows": _scalar(conn, "SELECT count(*) FROM event_logs"),
        "events_portfolio_events rows": _scalar(
            conn, "SELECT count(*) FROM events_portfolio_events"
        ),
        "sum(stats_minutely.events)": _scalar(conn, "SELECT sum(events) FROM stats_minutely"),
        "sum(stats_hourly.events)": _scalar(conn, "SELECT sum(events) FROM stats_hourly"),
        "sum(stats_daily.events)": _scalar(conn, "SELECT sum(events) FROM stats_daily"),
    }
    wrong = {k: v for k, v in found.items() if v != expected}
    if wrong:
        raise BenchmarkFailure(f"read models disagree with the {expected:,} events: {wrong}")
    by_type: dict[str, int] = dict(
        conn.execute("SELECT event_type, sum(events) FROM stats_daily GROUP BY 1").fetchall()
    )
    if {k: int(v) for k, v in by_type.items()} != dict(history.by_type):
        raise BenchmarkFailure(
            f"stats_daily by type {by_type} differs from what was generated {dict(history.by_type)}"
        )
    rejected = _scalar(conn, "SELECT count(*) FROM rejected_events")
    if rejected:
        raise BenchmarkFailure(f"{rejected} events were rejected")


# Every read model of the three projections; compared before and after a replay.
READ_MODELS = (
    "event_logs",
    "stats_minutely",
    "stats_hourly",
    "stats_daily",
    "stats_daily_dimensions",
    "stats_daily_uniques",
    "rejected_events",
    "schemas",
    "schema_versions",
    "adaptors",
    "users",
)


def snapshot(conn: psycopg.Connection) -> dict[str, Any]:
    """What the read models hold: per table its rows and an order-independent checksum of
    every row's full content, the sums of the rollups, and the md5 of all event ids."""
    shot: dict[str, Any] = {}
    for table in READ_MODELS:
        row = conn.execute(
            f"SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text "
            f"FROM {table} t"
        ).fetchone()
        assert row is not None
        shot[f"{table}: rows"] = int(row[0])
        shot[f"{table}: content checksum"] = row[1]
    for table in ("stats_minutely", "stats_hourly", "stats_daily", "stats_daily_dimensions"):
        shot[f"sum({table}.events)"] = _scalar(conn, f"SELECT sum(events) FROM {table}")
    row = conn.execute(
        "SELECT md5(string_agg(event_id::text, ',' ORDER BY event_id)) FROM event_logs"
    ).fetchone()
    shot["md5(event ids)"] = row[0] if row else None
    # Each schema's table (a partition of event_logs) on its own: its rows and their content.
    partitions = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'event_logs'::regclass ORDER BY 1"
    ).fetchall()
    for (table,) in partitions:
        row = conn.execute(
            "SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0)::text "
            f'FROM "{table}" t'
        ).fetchone()
        assert row is not None
        shot[f"{table}: rows"] = int(row[0])
        shot[f"{table}: content checksum"] = row[1]
    return shot
