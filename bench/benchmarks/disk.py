"""Disk per event: the bytes each tracker event costs once stored and projected, all-in and per
table, index and Kafka topic, in both modes; and zstd topic compression as a lever in Kafka mode.
Each variant is measured once a round, the rounds in turn; a figure is the median round's.

    python -m bench disk [--quick] [--system eventlens-kafka]
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from bench import dashboard, fmt
from bench.core import (
    PYTHONPATH,
    ROOT,
    BenchmarkFailure,
    BenchmarkReport,
    RunContext,
    Section,
    TargetCheck,
)
from bench.http import request_json
from bench.ledger import check_ledger
from bench.loadgen.paced import MARKER
from bench.loadgen.wrk import new_tag
from bench.rounds import each_round, median_run, spread
from bench.services.eventlens import SEED_SCHEMA, eventlens_up, login
from bench.services.kafka import KafkaBroker, kafka_broker
from bench.services.postgres import PostgresServer, postgres_server
from bench.targets import Target
from bench.targets.eventlens import (
    KafkaStoreCounter,
    _target,
    embedded,
    kafka_mode,
    kafka_store_env,
)
from bench.targets.registry import EVENTLENS_KAFKA, EVENTLENS_POSTGRES
from eventlens.eventstore.kafka_topics import FOREVER, topic_layout
from eventlens.eventstore.port import TRACKED_STREAM

PER_EVENT_MAX = 400  # bytes per tracker page view, all-in
RATE = 2_000  # events/s asked of the sender (it sends as fast as the platform answers)
PAGE_VISITS = 30  # dashboard pages opened before measuring, so used indexes show it
ZSTD = f"{EVENTLENS_KAFKA} (topic zstd)"
VARIANTS = (EVENTLENS_POSTGRES, EVENTLENS_KAFKA, ZSTD)

SIZES = """
SELECT c.relname, c.relkind,
       pg_relation_size(c.oid) AS main,
       CASE WHEN c.relkind IN ('r', 'p', 'm')
            THEN pg_total_relation_size(c.oid) - pg_relation_size(c.oid) - pg_indexes_size(c.oid)
            ELSE 0 END AS toast,
       i.idx_scan,
       coalesce(ix.indrelid::regclass::text, '') AS of_table
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_stat_user_indexes i ON i.indexrelid = c.oid
LEFT JOIN pg_index ix ON ix.indexrelid = c.oid
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  AND c.relkind IN ('r', 'p', 'm', 'i')
"""


@dataclass
class Relation:
    name: str
    kind: str  # table or index
    bytes: int
    index_scans: int | None = None
    of_table: str = ""


@dataclass
class DiskRun:
    variant: str
    events: int  # acknowledged, each found once in the store and in event_logs
    relations: list[Relation]
    database_bytes: int  # pg_database_size: every relation and the catalogs
    database_before: int  # the same once the site was set up, before the first event
    topics: dict[str, tuple[int, int]] = field(default_factory=dict)  # topic: (log, all files)

    @property
    def tables_bytes(self) -> int:
        return sum(r.bytes for r in self.relations)

    @property
    def per_event(self) -> float:
        return self.all_in / self.events

    @property
    def all_in(self) -> int:
        """What the events added to everything stored: the database's growth and, in Kafka
        mode, the event store's topics (new, empty before)."""
        grown = self.database_bytes - self.database_before
        return grown + sum(total for _, total in self.topics.values())


def _allocated(path: Path) -> int:
    """Bytes a file occupies on disk (Kafka's index files are preallocated sparse files)."""
    return path.stat().st_blocks * 512


def topic_bytes(broker: KafkaBroker, prefix: str) -> dict[str, tuple[int, int]]:
    """Per topic of the store: its segments' bytes, and every file of its partitions."""
    found: dict[str, tuple[int, int]] = {}
    for topic in topic_layout(1, prefix):
        log = total = 0
        for directory in (broker.data_dir / "logs").glob(f"{topic}-*"):
            if not directory.name.removeprefix(f"{topic}-").isdigit():
                continue
            for file in directory.iterdir():
                total += _allocated(file)
                if file.suffix == ".log":
                    log += file.stat().st_size
        found[topic] = (log, total)
    return found


def relations(database_url: str) -> tuple[list[Relation], int]:
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(SIZES).fetchall()
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    found = []
    for name, kind, main, toast, scans, of_table in rows:
        if kind == "i":
            found.append(Relation(name, "index", int(main), scans, of_table))
        else:
            found.append(Relation(name, "table", int(main) + int(toast)))
    return found, int(size[0]) if size else 0


def send(target: Target, count: int, scratch: Path) -> tuple[Path, str, dict[str, Any]]:
    tag = new_tag()
    ledger = scratch / f"{tag}.ledger"
    args = [sys.executable, "-m", "bench.loadgen.paced", target.ingest_url, "--tracker"]
    args += ["--rate", str(RATE), "--count", str(count), "--connections", "32"]
    args += ["--tag", tag, "--container", target.container_id, "--ledger", str(ledger)]
    env = {**os.environ, "PYTHONPATH": PYTHONPATH}
    with (scratch / f"{tag}.log").open("w") as err:
        done = subprocess.run(
            args,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            timeout=3600,
            check=False,
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if line is None:
        raise BenchmarkFailure("the sender printed no result")
    result: dict[str, Any] = json.loads(line.removeprefix(MARKER))
    if result["errors"]:
        raise BenchmarkFailure(f"ingest requests failed: {result['errors']}")
    return ledger, tag, result


def open_pages(target: Target, token: str) -> None:
    """Dashboard pages as users open them, so that the indexes reads use are seen used."""
    types = tuple(SEED_SCHEMA["properties"])
    sites = [dashboard.Site(target.container_id, str(SEED_SCHEMA["name"]), types)]
    rng = random.Random(7)
    for _ in range(PAGE_VISITS):
        for request in dashboard.page_visit(rng, sites):
            status, body = request_json(
                request.method, target.base_url + request.path, request.body, token
            )
            problem = dashboard.answer_errors(body) if status == 200 else f"status {status}"
            if problem:
                raise BenchmarkFailure(f"{request.page}/{request.card}: {problem}")


@contextlib.contextmanager
def zstd_kafka(ctx: RunContext) -> Iterator[Target]:
    """Kafka mode, the store's topics created beforehand with `compression.type=zstd` (the
    broker then stores the producer's lz4 batches recompressed with zstd)."""
    broker: KafkaBroker = ctx.service("kafka", kafka_broker)
    pg: PostgresServer = ctx.service("postgres", postgres_server)
    env, prefix = kafka_store_env(broker, pg, "benchzstd")
    config = {**FOREVER, "compression.type": "zstd"}
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    topics = [
        NewTopic(t, num_partitions=n, replication_factor=1, config=config)
        for t, n in topic_layout(6, prefix).items()
    ]
    for future in admin.create_topics(topics).values():
        future.result()
    with eventlens_up(ctx.fresh_dir("eventlens-zstd") / "data", env) as app:
        yield _target(
            ZSTD,
            "EventLens, Kafka event store, topics with compression.type=zstd",
            app,
            KafkaStoreCounter(app.database_url, broker, prefix),
            {"db": pg.pids, "broker": broker.pids},
        )


def measure(ctx: RunContext, variant: str) -> DiskRun:
    factory = {EVENTLENS_POSTGRES: embedded, EVENTLENS_KAFKA: kafka_mode, ZSTD: zstd_kafka}
    with factory[variant](ctx) as target:
        token = login(target.base_url)
        assert target.database_url is not None
        before, database_before = relations(target.database_url)
        ledger, tag, _ = send(target, ctx.profile.disk_events, ctx.scratch("disk"))
        target.counter.wait_settled()
        assert target.database_url is not None
        counter = target.counter
        kafka = (counter.broker, counter.topic) if isinstance(counter, KafkaStoreCounter) else None
        checked = check_ledger(target.database_url, ledger, tag, kafka)
        if not checked.ok or checked.unacknowledged:
            raise BenchmarkFailure(f"{variant}: {checked.summary()}")
        open_pages(target, token)
        found, database = relations(target.database_url)
        grown = {r.name: r.bytes for r in before}
        for relation in found:  # what the events added to each
            relation.bytes -= grown.get(relation.name, 0)
        topics = {}
        if isinstance(counter, KafkaStoreCounter):
            topics = topic_bytes(counter.broker, counter.topic.removesuffix(TRACKED_STREAM))
    return DiskRun(variant, checked.acknowledged, found, database, database_before, topics)


class DiskBenchmark:
    name = "disk"
    title = "Disk per event"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        rounds, failures = each_round(
            ctx,
            "disk",
            {variant: partial(measure, ctx, variant) for variant in VARIANTS},
            lambda run: f"all-in {run.per_event:,.0f} B an event",
            lambda variant: EVENTLENS_KAFKA if variant == ZSTD else variant,
        )
        runs = [median_run(by_variant, lambda r: r.per_event) for by_variant in rounds.values()]
        report = BenchmarkReport(self.name, self.title)
        report.sections.append(_summary(runs, rounds, failures))
        report.sections += [_detail(run) for run in runs]
        for variant, by_variant in rounds.items():
            per_event = spread([r.per_event for r in by_variant])
            events = min(r.events for r in by_variant)
            report.targets.append(
                TargetCheck(
                    f"{variant}: disk per tracker event, all-in",
                    f"<= {PER_EVENT_MAX} B",
                    f"{per_event.text(lambda v: f'{v:,.0f}')} B (at least {events:,} events a run)",
                    per_event.high <= PER_EVENT_MAX,
                )
            )
        report.raw = {
            "failures": failures,
            "runs": [
                {
                    "variant": r.variant,
                    "round": index + 1,
                    "events": r.events,
                    "database_bytes": r.database_bytes,
                    "database_before": r.database_before,
                    "topics": r.topics,
                    "relations": [vars(x) for x in r.relations],
                }
                for by_variant in rounds.values()
                for index, r in enumerate(by_variant)
            ],
        }
        if failures:
            report.notes.append("FAILED: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
        report.method = METHOD
        return report


def _per(value: int, events: int) -> str:
    return f"{value / events:,.0f}"


def _summary(
    runs: list[DiskRun], rounds: dict[str, list[DiskRun]], failures: dict[str, str]
) -> Section:
    section = Section(
        "Bytes per stored event",
        [
            "variant",
            "events",
            "database before MB",
            "database",
            "of which tables",
            "of which indexes",
            "topics (segments)",
            "topics (all files)",
            "all-in",
            "all-in over the rounds",
        ],
    )
    for r in runs:
        tables = sum(x.bytes for x in r.relations if x.kind == "table")
        indexes = sum(x.bytes for x in r.relations if x.kind == "index")
        section.rows.append(
            [
                r.variant,
                f"{r.events:,}",
                fmt.mb(r.database_before),
                _per(r.database_bytes - r.database_before, r.events),
                _per(tables, r.events),
                _per(indexes, r.events),
                _per(sum(log for log, _ in r.topics.values()), r.events) if r.topics else "",
                _per(sum(t for _, t in r.topics.values()), r.events) if r.topics else "",
                _per(r.all_in, r.events),
                spread([x.per_event for x in rounds[r.variant]]).text(lambda v: f"{v:,.0f}"),
            ]
        )
    for variant, why in failures.items():
        section.rows.append([variant, "FAILED", why[:200], *[""] * 7])
    section.notes.append(
        "Each variant ran once a round, the rounds in turn, each on a fresh data directory; a "
        "row is the median round's (by all-in bytes an event), with every round's lowest and "
        "highest beside it, and the target counts as met only if the highest meets it. The "
        "tables below are the median round's."
    )
    section.notes.append(
        "Bytes an event: what the events added to each size (after less before: the empty "
        "tables and the catalogs are not counted), divided by the events stored (every one "
        "acknowledged and found once in the store and in `event_logs`). database: "
        "`pg_database_size` (every table, index and TOAST table); all-in: the database's "
        "growth and, in Kafka mode, every file of the store's topics' partitions (allocated "
        "blocks); database before: its size once the site was set up, before any event."
    )
    return section


def _detail(run: DiskRun) -> Section:
    section = Section(
        f"{run.variant}: where the bytes are",
        ["relation or topic", "kind", "of table", "MB", "bytes an event", "index scans"],
    )
    ordered = sorted(run.relations, key=lambda x: x.bytes, reverse=True)
    shown = [x for x in ordered if x.bytes >= 0.01 * run.tables_bytes]
    for x in shown:
        section.rows.append(
            [
                x.name,
                x.kind,
                x.of_table,
                fmt.mb(x.bytes),
                _per(x.bytes, run.events),
                "" if x.index_scans is None else f"{x.index_scans:,}",
            ]
        )
    rest = ordered[len(shown) :]
    if rest:
        size = sum(x.bytes for x in rest)
        section.rows.append(
            [f"{len(rest)} others", "", "", fmt.mb(size), _per(size, run.events), ""]
        )
    for topic, (log, total) in run.topics.items():
        section.rows.append(
            [topic, "topic", "", fmt.mb(total), f"{_per(log, run.events)} (segments)", ""]
        )
    section.notes.append(
        "What the events added to each relation, those of 1 % of the total or more, largest "
        "first. index scans: "
        "`pg_stat_user_indexes.idx_scan` after the ingest, the projections and "
        f"{PAGE_VISITS} dashboard pages opened (an index at 0 was not read by any of them)."
    )
    return section


METHOD = [
    "`eventlens up` on a fresh data directory, in each mode (embedded PostgreSQL; the Kafka "
    "event store; the Kafka event store with its topics created beforehand with "
    "`compression.type=zstd`, the broker recompressing the producer's lz4 batches), set up as "
    "in the ingest benchmark.",
    "`bench/loadgen/paced.py --tracker --count N` sends N tracker events (as in the soak: "
    "about 70 % page views, the rest engagement, outbound clicks and the seed schema's "
    "types, one per request, 20,000 visitors) as fast as 32 connections are answered. When "
    "the projections have caught up, every acknowledged event id must be found once in the "
    "store and in `event_logs` (`bench/ledger.py`), and none may be left unacknowledged.",
    f"Then {PAGE_VISITS} dashboard pages are opened (`bench/dashboard.py`), so the indexes "
    "the reads use show scans, and the sizes are read: `pg_relation_size` of every table "
    "(with its TOAST) and index outside the catalogs, `pg_database_size`, and in Kafka mode "
    "the blocks allocated to every file of the store's topics' partition directories. The "
    "database's sizes were read once before the first event too, and each figure is what the "
    "events added (the catalogs and empty tables, a fixed 8 MB or so, are not theirs).",
]
