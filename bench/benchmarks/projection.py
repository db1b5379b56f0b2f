"""Projection throughput: events/s one `eventlens worker` applies to every read model, from an
event store filled beforehand (PostgreSQL and Kafka event stores), each mode once a round and
the rounds in turn: a figure is the median round's, with the lowest and highest beside it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import partial

import psycopg

from bench import fmt
from bench.core import (
    BenchmarkFailure,
    BenchmarkReport,
    RunContext,
    Section,
    TargetCheck,
)
from bench.history import (
    Fill,
    History,
    Projected,
    fill_kafka,
    fill_postgres,
    kafka_progress,
    postgres_progress,
    register_site,
    verify_projected,
    wait_projected,
    worker_process,
)
from bench.live_appends import RATE as LIVE_RATE
from bench.live_appends import LiveAppends
from bench.procstats import CpuMeter, other_cores, wait_for_quiet
from bench.rounds import each_round, median_run, spread
from bench.services.kafka import KafkaBroker, kafka_broker
from bench.services.postgres import PostgresServer, postgres_server
from bench.targets.registry import EVENTLENS_KAFKA, EVENTLENS_POSTGRES
from bench.verify import wait_until
from bench.workload import MAX_OTHER_CORES
from eventlens.eventstore.port import TRACKED_STREAM

RATE_MIN = 30_000  # events/s per worker


@dataclass(frozen=True)
class ProjectionRun:
    mode: str
    fill: Fill
    projected: Projected
    cpu: dict[str, float]


def _postgres(ctx: RunContext, n: int) -> ProjectionRun:
    pg: PostgresServer = ctx.service("postgres", postgres_server)
    url = pg.create_database("bench_projection")
    try:
        container_id = register_site(url)
        history = History()
        print(f"  filling the PostgreSQL event store with {n:,} events", flush=True)
        fill = fill_postgres(url, n, container_id, history)
        print(f"  filled in {fill.seconds:.1f}s ({fmt.rate(fill.rate)} events/s)", flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            progress = postgres_progress(conn)
            groups = {"db": pg.pids}
            pg.checkpoint()
            wait_for_quiet(groups, MAX_OTHER_CORES)
            with worker_process(url, ctx.fresh_dir("projection-postgres")) as worker:
                meter = CpuMeter({"worker": worker.pids, **groups})
                meter.start()
                projected = wait_projected(worker, progress)
                cpu = meter.stop()
            verify_projected(conn, history)
        return ProjectionRun(EVENTLENS_POSTGRES, fill, projected, cpu)
    finally:
        pg.drop_database(url)


def _kafka(ctx: RunContext, n: int) -> ProjectionRun:
    broker: KafkaBroker = ctx.service("kafka", kafka_broker)
    pg: PostgresServer = ctx.service("postgres", postgres_server)
    url = pg.create_database("bench_projection_kafka")
    prefix = f"benchproj{secrets.token_hex(3)}."
    topic = prefix + TRACKED_STREAM
    try:
        container_id = register_site(url)
        history = History()
        print(f"  filling Kafka ({topic}) with {n:,} events", flush=True)
        fill = fill_kafka(broker.bootstrap, prefix, n, container_id, history)
        print(f"  filled in {fill.seconds:.1f}s ({fmt.rate(fill.rate)} events/s)", flush=True)
        watermarks = broker.watermarks(topic)
        in_topic = sum(high - low for _, low, high in watermarks)
        if in_topic != n:
            raise BenchmarkFailure(f"{topic} holds {in_topic:,} messages, {n:,} were appended")
        env = {
            "EVENTLENS_KAFKA_BOOTSTRAP": broker.bootstrap,
            "EVENTLENS_KAFKA_TOPIC_PREFIX": prefix,
        }
        with psycopg.connect(url, autocommit=True) as conn:
            progress = kafka_progress(conn, watermarks, topic)
            groups = {"db": pg.pids, "broker": broker.pids}
            pg.checkpoint()
            wait_for_quiet(groups, MAX_OTHER_CORES)
            with worker_process(url, ctx.fresh_dir("projection-kafka"), env) as worker:
                meter = CpuMeter({"worker": worker.pids, **groups})
                meter.start()
                projected = wait_projected(worker, progress)
                cpu = meter.stop()
            verify_projected(conn, history)
        return ProjectionRun(EVENTLENS_KAFKA, fill, projected, cpu)
    finally:
        pg.drop_database(url)


def _postgres_with_ingest(ctx: RunContext, n: int) -> ProjectionRun:
    """The PostgreSQL run again, with events appended at 1,000 events/s throughout: the rate
    is the backlog's (the first `n`), the live events projected too before the checks."""
    pg: PostgresServer = ctx.service("postgres", postgres_server)
    url = pg.create_database("bench_projection_live")
    try:
        container_id = register_site(url)
        history = History()
        fill = fill_postgres(url, n, container_id, history)
        with psycopg.connect(url, autocommit=True) as conn:
            backlog = postgres_progress(conn)
            groups = {"db": pg.pids}
            pg.checkpoint()
            wait_for_quiet(groups, MAX_OTHER_CORES)
            live = LiveAppends(url, container_id).start()
            try:
                with worker_process(url, ctx.fresh_dir("projection-live")) as worker:
                    meter = CpuMeter({"worker": worker.pids, **groups})
                    meter.start()
                    projected = wait_projected(worker, backlog)
                    cpu = meter.stop()
                    appended = live.stop()
                    everything = postgres_progress(conn)  # the live events too

                    def caught_up() -> tuple[bool, int]:
                        worker.check_alive()
                        done, head = everything()
                        return done >= head, done

                    wait_until("the worker projecting the live events", caught_up)
            finally:
                live.stop()
            history.by_type.update(live.history.by_type)
            if history.total != n + appended:
                raise BenchmarkFailure(
                    f"{history.total:,} events counted, {n + appended:,} appended"
                )
            verify_projected(conn, history)
        return ProjectionRun(LIVE, fill, projected, cpu)
    finally:
        pg.drop_database(url)


LIVE = f"{EVENTLENS_POSTGRES}, {LIVE_RATE:,} events/s appended meanwhile"
MODES = {EVENTLENS_POSTGRES: _postgres, EVENTLENS_KAFKA: _kafka, LIVE: _postgres_with_ingest}


class ProjectionBenchmark:
    name = "projection"
    title = "Projection throughput"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        n = ctx.profile.projection_events
        rounds, failures = each_round(
            ctx,
            "projection",
            {mode: partial(measure, ctx, n) for mode, measure in MODES.items()},
            lambda run: (
                f"{fmt.rate(run.projected.rate)} events/s once running "
                f"({run.projected.steady_s:.1f}s for {run.projected.steady_events:,}); "
                f"{run.projected.wall_s:.1f}s from launch; verified {run.projected.events:,}"
            ),
            lambda mode: mode.split(",")[0],
        )
        runs = [median_run(by_mode, lambda r: r.projected.rate) for by_mode in rounds.values()]
        report = BenchmarkReport(self.name, self.title)
        report.sections.append(_section(runs, rounds, failures, n))
        for mode, by_mode in rounds.items():
            if mode == LIVE:
                continue  # the target is for a worker alone; this run is shown beside it
            rates = spread([r.projected.rate for r in by_mode])
            report.targets.append(
                TargetCheck(
                    f"{mode}: projection throughput, one worker",
                    f">= {RATE_MIN:,} events/s",
                    f"{rates.text()} events/s ({n:,} events a run)",
                    rates.low >= RATE_MIN,
                )
            )
        report.raw = {
            "events": n,
            "failures": failures,
            "runs": [
                {
                    "mode": r.mode,
                    "round": index + 1,
                    "fill_s": round(r.fill.seconds, 2),
                    "events": r.projected.events,
                    "wall_s": round(r.projected.wall_s, 2),
                    "startup_s": round(r.projected.first_s, 2),
                    "steady_s": round(r.projected.steady_s, 2),
                    "steady_events": r.projected.steady_events,
                    "events_per_s": round(r.projected.rate, 1),
                    "cpu_cores": {k: round(v, 3) for k, v in r.cpu.items()},
                }
                for by_mode in rounds.values()
                for index, r in enumerate(by_mode)
            ],
        }
        if failures:
            report.notes.append("FAILED: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
        report.method = [
            f"The event store is filled directly (not through HTTP) with {n:,} tracked events "
            "of the seed's site (six event types, 20,000 visitors, page paths and link texts, "
            "spread over the last 7 days in time order), in appends of 5,000: "
            "`PostgresEventStore.append_tracked` or `KafkaEventStore.append_tracked` (6 "
            "partitions, a fresh topic prefix). The schema and adaptor are registered in the "
            "catalog first, as the REST API does.",
            "Both modes use one PostgreSQL server, the PostgreSQL run first. Before each run the "
            "server is checkpointed (`CHECKPOINT`, as pgbench does before a run), so what an "
            "earlier run wrote is not written out during this one's measurement: without it, the "
            "Kafka run measured 24,609 events/s after the PostgreSQL run and 30,194-31,168 alone.",
            "Then `eventlens worker` is started as its own process (`EVENTLENS_DATABASE_URL`, and "
            "in Kafka mode `EVENTLENS_KAFKA_BOOTSTRAP` and `EVENTLENS_KAFKA_TOPIC_PREFIX`) and the "
            "harness polls `projection_positions` of the `events` projection every 50 ms until "
            "it reaches the head of the store (the newest log position; every partition's high "
            "watermark). The rate is the events applied from the first batch seen committed to "
            "the head, so interpreter start-up and the Kafka group join are left out; the time "
            "from launch is shown beside it.",
            "Checks: `event_logs` and `events_portfolio_events` hold N rows, the sums of "
            "`stats_minutely`, `stats_hourly` and `stats_daily` are N, the per-type sums equal "
            "what was generated, nothing was rejected. Any difference fails the benchmark.",
            f"The PostgreSQL run is made again with {LIVE_RATE:,} events/s appended to the "
            "store throughout (`bench/live_appends.py`, appends of 100 from a thread of the "
            "harness) from before the worker starts: the rate shown is the backlog's (the first "
            "N events) while the live appends compete with it; the live events are projected "
            "too before the checks, which then count every event appended.",
        ]
        return report


def _section(
    runs: list[ProjectionRun],
    rounds: dict[str, list[ProjectionRun]],
    failures: dict[str, str],
    n: int,
) -> Section:
    section = Section(
        "One worker, every read model",
        [
            "event store",
            "events",
            "events/s",
            "events/s over the rounds",
            "s (running)",
            "s from launch",
            "start-up s",
            "CPU worker",
            "CPU db",
            "CPU broker",
            "CPU other",
            "fill events/s",
            "verified",
        ],
    )
    for r in runs:
        p = r.projected
        other = other_cores(r.cpu)
        section.rows.append(
            [
                r.mode,
                f"{p.events:,}",
                fmt.rate(p.rate) + (" *" if other > MAX_OTHER_CORES else ""),
                spread([x.projected.rate for x in rounds[r.mode]]).text(),
                f"{p.steady_s:.1f}",
                f"{p.wall_s:.1f}",
                f"{p.first_s:.1f}",
                fmt.cores(r.cpu.get("worker")),
                fmt.cores(r.cpu.get("db")),
                fmt.cores(r.cpu.get("broker")),
                fmt.cores(other),
                fmt.rate(r.fill.rate),
                "yes",
            ]
        )
    for mode, why in failures.items():
        section.rows.append([mode, f"{n:,}", "FAILED", why[:200], *[""] * 9])
    section.notes += [
        "Each mode ran once a round, the rounds in turn; a row is the median round's (by "
        "events/s), with every round's lowest and highest events/s beside it. A target counts "
        "as met only at the low end.",
        "events/s: events applied per second by one `eventlens worker` process (all three "
        "projections run in it; `events` does the work), from its first committed batch to "
        "the head. s from launch includes interpreter start-up, catalog set-up and, in Kafka "
        "mode, joining the consumer group.",
        "CPU: cores used while the worker caught up (1.00 = one core busy) by the worker "
        "process, PostgreSQL, the broker, and other processes on the machine (* when those "
        f"used more than {MAX_OTHER_CORES} cores). verified: `event_logs`, the schema's table and "
        "the minutely, hourly and daily rollups hold exactly the events appended.",
    ]
    return section
