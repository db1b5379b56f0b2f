"""Queries: 30-day stats and time series over the read models of 10 million events, and the
newest events, through the running API (`eventlens api`), p50/p95 latency.

Projecting 10 million events would take longer than the whole benchmark run, so the read
models are generated in SQL instead, consistently: per-minute counts for 30 days whose hourly
and daily rollups are their exact sums, dense unique-count sketches per day and adaptor built
with `eventlens.projections.distinct_count.Sketch`, and a sample of rows in `event_logs`.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg

from bench import fmt
from bench.core import ROOT, BenchmarkFailure, BenchmarkReport, RunContext, Section, TargetCheck
from bench.history import eventlens_env
from bench.loadgen.paced import MARKER
from bench.loadgen.queries import event_ids_digest
from bench.procs import free_port, server_process
from bench.procstats import CpuMeter, other_cores, wait_for_quiet
from bench.services.eventlens import ADMIN_PASSWORD, login
from bench.services.postgres import PostgresServer, postgres_server
from bench.workload import MAX_OTHER_CORES
from eventlens.projections.distinct_count import Sketch, hash64
from eventlens.projections.tracked_events import create_schema_table

P95_MAX_MS = 20.0  # 30-day stats over 10M events
TARGET_EVENTS = 10_000_000
DAYS = 30
# The newest generated minute is this long before the generation; a "last 30 days" query's
# start moves forward with the clock, so the oldest generated minute stays inside it for
# this long: the benchmark must finish its queries within it (checked).
MARGIN = timedelta(minutes=20)
CONCURRENCY = 4

# (schema, event types with weights, adaptors' traffic weights)
SITES = (
    (
        "portfolio_events",
        {
            "page_view": 60,
            "navigation_click": 15,
            "github_project_click": 10,
            "external_link_click": 7,
            "linkedin_profile_click": 4,
            "email_link_click": 4,
        },
        (3, 1),
    ),
    (
        "shop_events",
        {
            "page_view": 50,
            "product_view": 30,
            "add_to_cart_click": 10,
            "checkout_click": 6,
            "purchase": 4,
        },
        (2,),
    ),
    (
        "docs_events",
        {"page_view": 70, "search": 15, "copy_code_click": 10, "outbound_link_click": 5},
        (1,),
    ),
)
SESSION_EVENTS = 8  # events per session, for the sketches' sizes
USER_POOL = 40_000  # returning users per adaptor (users recur across days)

CELLS = """
CREATE TEMP TABLE bench_cells AS
SELECT m AS bucket, d.schema_id, d.container_id, d.event_type,
       (d.weight
        * (3 + round(2 + 2 * sin(2 * pi() * (extract(hour FROM m AT TIME ZONE 'UTC') - 8) / 24)))
        * (CASE WHEN extract(isodow FROM m AT TIME ZONE 'UTC') IN (6, 7) THEN 5 ELSE 7 END)
       )::bigint AS w
FROM generate_series(%(first)s::timestamptz, %(last)s::timestamptz, interval '1 minute') AS m
CROSS JOIN bench_dims d
"""

# N events shared out in proportion to the weights: the integer parts, then one more for the
# cells with the largest remainders until the total is exactly N.
MINUTELY = """
WITH totals AS (SELECT sum(w)::bigint AS total FROM bench_cells),
base AS (
    SELECT c.bucket, c.schema_id, c.container_id, c.event_type,
           (%(n)s::bigint * c.w) / t.total AS q, (%(n)s::bigint * c.w) %% t.total AS r
    FROM bench_cells c, totals t
),
short AS (SELECT %(n)s::bigint - sum(q) AS k FROM base),
ranked AS (
    SELECT b.*, row_number() OVER (ORDER BY r DESC, bucket, schema_id, container_id, event_type)
           AS rn
    FROM base b
)
INSERT INTO stats_minutely (bucket, schema_id, container_id, event_type, events)
SELECT bucket, schema_id, container_id, event_type, q + (rn <= k)::int
FROM ranked, short WHERE q + (rn <= k)::int > 0
"""

COARSER = """
INSERT INTO {table} (bucket, schema_id, container_id, event_type, events)
SELECT date_trunc('{unit}', bucket, 'UTC'), schema_id, container_id, event_type, sum(events)
FROM stats_minutely GROUP BY 1, 2, 3, 4
"""

EVENT_LOG = """
INSERT INTO event_logs (event_id, schema_id, container_id, event_type, user_id, session_id,
                        "timestamp", received_at, properties, metadata)
SELECT gen_random_uuid(), d.schema_id, d.container_id, d.event_type,
       'user_' || (i * 7919 %% 20000), 'session_' || (i * 104729 %% 60000),
       t.ts, t.ts + interval '250 milliseconds',
       jsonb_build_object('page_path', '/page/' || (i %% 40), 'page_title', 'Page ' || (i %% 40),
                          'container_id', d.container_id),
       '{}'::jsonb
FROM generate_series(1::bigint, %(rows)s::bigint) AS i
JOIN bench_dims d ON d.n = i %% %(dims)s
CROSS JOIN LATERAL (
    SELECT %(first)s::timestamptz + (%(last)s::timestamptz - %(first)s::timestamptz)
           * (i::float8 / %(rows)s) AS ts
) AS t
"""


@dataclass
class Dataset:
    url: str
    events: int
    log_rows: int
    first: datetime  # oldest generated minute
    generated_at: datetime
    by_schema: dict[str, int]
    rollup_rows: dict[str, int]
    sketches: int  # (sessions, users) pairs
    dense_sketches: int  # of the 2 x `sketches`, those past 512 ids (HyperLogLog registers)
    newest_ids: str  # what `recent?limit=100` must answer (as the load generator digests it)
    seconds: dict[str, float]


def register_sites(url: str) -> list[tuple[str, str, str, int]]:
    """Schemas and adaptors in the catalog; returns (schema, container, type, weight) rows."""
    from eventlens.commands.actor import SYSTEM
    from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
    from eventlens.commands.register_schema import RegisterSchema, register_schema
    from eventlens.eventstore.catalog import open_catalog
    from eventlens.runtime.wiring import setup_read_models

    dims: list[tuple[str, str, str, int]] = []
    catalog = open_catalog(url)
    try:
        for schema, types, adaptors in SITES:
            register_schema(
                RegisterSchema(SYSTEM, schema, f"{schema} (benchmark)", {t: {} for t in types}),
                catalog,
            )
            for index, traffic in enumerate(adaptors):
                adaptor = create_adaptor(
                    CreateAdaptor(
                        SYSTEM,
                        name=f"{schema} site {index + 1}",
                        schema_name=schema,
                        website_urls=[f"http://localhost:{8080 + len(dims)}"],
                    ),
                    catalog,
                )
                dims += [(schema, adaptor.container_id, t, traffic * w) for t, w in types.items()]
        setup_read_models(url, catalog)  # every read model's tables, as `eventlens api` does
    finally:
        catalog.close()
    with psycopg.connect(url, autocommit=True) as conn:
        for schema, _, _ in SITES:  # the schemas' tables: their partitions of event_logs
            create_schema_table(conn, schema)
    return dims


def build_sketches(conn: psycopg.Connection, n: int) -> list[tuple[Any, ...]]:
    """Per day and adaptor: a sessions sketch (new sessions every day) and a users sketch
    (drawn from the adaptor's returning users), sized from that day's events."""
    rng = random.Random(11)
    rows = []
    per_day = conn.execute(
        "SELECT (bucket AT TIME ZONE 'UTC')::date, schema_id, container_id, sum(events) "
        "FROM stats_daily GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    ).fetchall()
    pools: dict[str, list[int]] = {}
    for day, schema, container, events in per_day:
        pool = pools.setdefault(
            container, [hash64(f"user_{container}_{i}") for i in range(USER_POOL)]
        )
        sessions, users = Sketch(), Sketch()
        count = max(1, int(events) // SESSION_EVENTS)
        for _ in range(count):
            sessions.add_hash(rng.getrandbits(64))
        for h in rng.sample(pool, min(len(pool), max(1, count * 3 // 5))):
            users.add_hash(h)
        rows.append((day, schema, container, sessions.encode(), users.encode()))
    return rows


def generate(ctx: RunContext, url: str) -> Dataset:
    profile = ctx.profile
    n, log_rows = profile.query_events, profile.query_log_rows
    seconds: dict[str, float] = {}
    clock = time.monotonic()
    dims = register_sites(url)
    generated_at = datetime.now(UTC)
    now_minute = generated_at.replace(second=0, microsecond=0)
    last = now_minute - timedelta(minutes=1)
    # A "last 30 days" query at time t starts at floor(t) + 1 min - 30 days: until
    # generated_at + MARGIN that is at or before `first`.
    first = now_minute + MARGIN + timedelta(minutes=1) - timedelta(days=DAYS)
    params = {"first": first, "last": last, "n": n, "rows": log_rows, "dims": len(dims)}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute(
            "CREATE TEMP TABLE bench_dims (n int, schema_id text, container_id text, "
            "event_type text, weight bigint)"
        )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO bench_dims VALUES (%s, %s, %s, %s, %s)",
                [(i, *row) for i, row in enumerate(dims)],
            )
        seconds["catalog and tables"] = time.monotonic() - clock
        clock = time.monotonic()
        with conn.transaction():
            conn.execute(CELLS, params)
            conn.execute(MINUTELY, params)
            conn.execute(COARSER.format(table="stats_hourly", unit="hour"))
            conn.execute(COARSER.format(table="stats_daily", unit="day"))
        seconds["rollups"] = time.monotonic() - clock
        clock = time.monotonic()
        sketches = build_sketches(conn, n)
        dense = sum(1 for row in sketches for data in row[3:] if data[:1] != bytes([0]))
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO stats_daily_uniques (day, schema_id, container_id, sessions, users) "
                "VALUES (%s, %s, %s, %s, %s)",
                sketches,
            )
        seconds["sketches"] = time.monotonic() - clock
        clock = time.monotonic()
        conn.execute(EVENT_LOG, params)
        seconds["event_logs"] = time.monotonic() - clock
        clock = time.monotonic()
        conn.execute("VACUUM (ANALYZE)")
        # Flush what was written now, not while the queries are measured.
        conn.execute("CHECKPOINT")
        seconds["vacuum analyze, checkpoint"] = time.monotonic() - clock
        rollup_rows = {
            t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
            for t in ("stats_minutely", "stats_hourly", "stats_daily", "event_logs")
        }
        by_schema = check_dataset(conn, n, log_rows)
        ids = conn.execute(
            "SELECT event_id::text FROM event_logs ORDER BY received_at DESC, event_id DESC "
            "LIMIT 100"
        ).fetchall()
    return Dataset(
        url=url,
        events=n,
        log_rows=log_rows,
        first=first,
        generated_at=generated_at,
        by_schema=by_schema,
        rollup_rows=rollup_rows,
        sketches=len(sketches),
        dense_sketches=dense,
        newest_ids=event_ids_digest([{"event_id": row[0]} for row in ids]),
        seconds=seconds,
    )


def check_dataset(conn: psycopg.Connection, n: int, log_rows: int) -> dict[str, int]:
    """The three rollups agree with each other and hold exactly N events."""
    sums: dict[str, dict[str, int]] = {}
    for table in ("stats_minutely", "stats_hourly", "stats_daily"):
        sums[table] = dict(
            conn.execute(f"SELECT schema_id, sum(events)::bigint FROM {table} GROUP BY 1")
        )
    if not sums["stats_minutely"] == sums["stats_hourly"] == sums["stats_daily"]:
        raise BenchmarkFailure(f"the generated rollups disagree: {sums}")
    total = sum(sums["stats_daily"].values())
    if total != n:
        raise BenchmarkFailure(f"the generated rollups hold {total:,} events, not {n:,}")
    rows = conn.execute("SELECT count(*) FROM event_logs").fetchone()
    if rows is None or rows[0] != log_rows:
        raise BenchmarkFailure(f"event_logs holds {rows} rows, not {log_rows:,}")
    return {k: int(v) for k, v in sums["stats_daily"].items()}


def scenarios(data: Dataset, requests: int) -> list[dict[str, Any]]:
    stats = (
        "{ stats(filter: {days: 30}) { totalEvents pageViews clicks uniqueSessions uniqueUsers "
        "eventsByType { key count } eventsByAdaptor { key count } start end } }"
    )
    series = "{ timeSeries(resolution: HOUR, filter: {days: 30}) { bucket count } }"
    base = {"requests": requests, "concurrency": 1, "warmup": 10, "body": None}
    return [
        {
            **base,
            "name": "REST GET /api/events/stats?days=30",
            "method": "GET",
            "path": "/api/events/stats?days=30",
            "extract": "total_events",
            "expect": data.events,
            "target": True,
        },
        {
            **base,
            "name": "REST GET /api/events/stats?days=30&schema_id=portfolio_events",
            "method": "GET",
            "path": "/api/events/stats?days=30&schema_id=portfolio_events",
            "extract": "total_events",
            "expect": data.by_schema["portfolio_events"],
            "target": True,
        },
        {
            **base,
            "name": "GraphQL stats(filter: {days: 30}) (the dashboard's fields)",
            "method": "POST",
            "path": "/graphql",
            "body": {"query": stats},
            "extract": "graphql_stats_total",
            "expect": data.events,
            "target": True,
        },
        {
            **base,
            "name": "GraphQL timeSeries(resolution: HOUR, filter: {days: 30})",
            "method": "POST",
            "path": "/graphql",
            "body": {"query": series},
            "extract": "graphql_series",
            "expect": f"sum={data.events}",
            "target": False,
        },
        {
            **base,
            "name": "REST GET /api/events/recent?limit=100",
            "method": "GET",
            "path": "/api/events/recent?limit=100",
            "extract": "event_ids",
            "expect": data.newest_ids,
            "target": False,
        },
        {
            **base,
            "name": f"REST GET /api/events/stats?days=30, {CONCURRENCY} concurrent",
            "method": "GET",
            "path": "/api/events/stats?days=30",
            "extract": "total_events",
            "expect": data.events,
            "concurrency": CONCURRENCY,
            "requests": requests * 2,
            "target": False,
        },
        {
            **base,
            "name": f"GraphQL stats(filter: {{days: 30}}), {CONCURRENCY} concurrent",
            "method": "POST",
            "path": "/graphql",
            "body": {"query": stats},
            "extract": "graphql_stats_total",
            "expect": data.events,
            "concurrency": CONCURRENCY,
            "requests": requests * 2,
            "target": False,
        },
    ]


def run_queries(
    base_url: str, token: str, plan: list[dict[str, Any]]
) -> tuple[dict[str, Any], int]:
    spec = {"base_url": base_url, "token": token, "scenarios": plan}
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.loadgen.queries"],
        cwd=ROOT,
        env=eventlens_env(""),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = process.communicate(json.dumps(spec, default=str), timeout=900)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate(timeout=10)
        raise BenchmarkFailure("the query load generator did not finish in 15 minutes") from None
    line = next((x for x in out.splitlines() if x.startswith(MARKER)), None)
    if process.returncode != 0 or line is None:
        raise BenchmarkFailure(f"the query load generator failed:\n{err[-3000:]}")
    return json.loads(line.removeprefix(MARKER)), process.pid


def verify(plan: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
    for wanted, got in zip(plan, results, strict=True):
        if got["errors"]:
            raise BenchmarkFailure(f"{wanted['name']}: requests failed: {got['errors']}")
        if got["values"] != [wanted["expect"]]:
            raise BenchmarkFailure(
                f"{wanted['name']}: answered {got['values']}, expected {wanted['expect']!r}"
            )
        if got["requests"] != wanted["requests"]:
            raise BenchmarkFailure(
                f"{wanted['name']}: {got['requests']} of {wanted['requests']} requests timed"
            )


class QueriesBenchmark:
    name = "queries"
    title = "Queries: 30-day stats and time series"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        report = BenchmarkReport(self.name, self.title)
        profile = ctx.profile
        print(
            f"[queries] generating read models for {profile.query_events:,} events over "
            f"{DAYS} days, {profile.query_log_rows:,} rows in event_logs",
            flush=True,
        )
        pg: PostgresServer = ctx.service("postgres", postgres_server)
        url = pg.create_database("bench_queries")
        try:
            data = generate(ctx, url)
            print(
                "  generated: "
                + ", ".join(f"{k} {v:.1f}s" for k, v in data.seconds.items())
                + "; rows: "
                + ", ".join(f"{k} {v:,}" for k, v in data.rollup_rows.items()),
                flush=True,
            )
            plan = scenarios(data, profile.query_requests)
            scratch = ctx.fresh_dir("queries")
            port = free_port()
            env = {
                "EVENTLENS_DATABASE_URL": data.url,
                "EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD,
                "EVENTLENS_LOG_LEVEL": "WARNING",
            }
            args = [sys.executable, "-m", "eventlens.cli", "api", "--port", str(port)]
            args += ["--data-dir", str(scratch / "data")]
            with server_process("eventlens api", args, port, scratch / "api.log", env) as api:
                token = login(api.base_url)
                groups = {"app": lambda: [api.pid], "db": pg.pids}
                wait_for_quiet(groups, MAX_OTHER_CORES)
                meter = CpuMeter(groups, reaped="loadgen")
                meter.start()
                result, _ = run_queries(api.base_url, token, plan)
                cpu = meter.stop()
            cpu["other"] = other_cores(cpu)
            finished = datetime.now(UTC)
            verify(plan, result["scenarios"])
            if finished - data.generated_at > MARGIN:
                raise BenchmarkFailure(
                    "the queries ran too long after the data was generated: the oldest minute "
                    "may have left the 30-day range"
                )
        except BenchmarkFailure as error:
            print(f"  FAILED: {error}", flush=True)
            report.notes.append(f"FAILED: {error}")
            return report
        finally:
            pg.drop_database(url)
        for got in result["scenarios"]:
            print(
                f"  {got['name'][:62]:<62} p50 {got['p50_ms']:7.2f} ms  p95 {got['p95_ms']:7.2f}"
                f" ms  {got['requests_per_s']:8,.0f} req/s",
                flush=True,
            )
        _report(report, data, plan, result, cpu)
        return report


def _report(
    report: BenchmarkReport,
    data: Dataset,
    plan: list[dict[str, Any]],
    result: dict[str, Any],
    cpu: dict[str, float],
) -> None:
    other = cpu.get("other", 0.0)
    section = Section(
        f"Through `eventlens api`: {data.events:,} events over {DAYS} days",
        [
            "query",
            "requests",
            "conns",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "max ms",
            "requests/s",
            "answer verified",
        ],
    )
    for wanted, got in zip(plan, result["scenarios"], strict=True):
        section.rows.append(
            [
                got["name"],
                str(got["requests"]),
                str(got["concurrency"]),
                f"{got['p50_ms']:.2f}",
                f"{got['p95_ms']:.2f}" + (" *" if other > MAX_OTHER_CORES else ""),
                f"{got['p99_ms']:.2f}",
                f"{got['max_ms']:.2f}",
                fmt.rate(got["requests_per_s"]),
                _expected(wanted["expect"]),
            ]
        )
    scaled = data.events != TARGET_EVENTS
    section.notes += [
        "Latency: from sending the request to reading the whole answer, on a keep-alive "
        "connection, measured by the load generator (its own process); each connection waits "
        "for an answer before sending the next request. Percentiles are nearest-rank.",
        f"Read models: {data.rollup_rows['stats_minutely']:,} rows in `stats_minutely`, "
        f"{data.rollup_rows['stats_hourly']:,} in `stats_hourly`, "
        f"{data.rollup_rows['stats_daily']:,} in `stats_daily` (4 adaptors of 3 schemas, 15 "
        f"event types), {data.sketches} rows in `stats_daily_uniques` (one per day and "
        f"adaptor; {_dense(data)}), and "
        f"{data.log_rows:,} rows in `event_logs` (a sample: the stats never read it; only "
        "`recent` does).",
        f"CPU during all queries: API {fmt.cores(cpu.get('app'))}, PostgreSQL "
        f"{fmt.cores(cpu.get('db'))}, load generator {fmt.cores(cpu.get('loadgen'))}, other "
        f"processes {fmt.cores(other)} cores"
        + (
            f" (* above {MAX_OTHER_CORES}: figures may be distorted)."
            if other > MAX_OTHER_CORES
            else "."
        ),
        "Generation took " + ", ".join(f"{k} {v:.1f} s" for k, v in data.seconds.items()) + ".",
    ]
    report.sections.append(section)
    for wanted, got in zip(plan, result["scenarios"], strict=True):
        if not wanted["target"]:
            continue
        measured = f"{got['p95_ms']:.1f} ms (p50 {got['p50_ms']:.1f} ms)"
        if scaled:
            measured += f", at {data.events:,} events"
        report.targets.append(
            TargetCheck(
                f"30-day stats p95: {wanted['name']}",
                f"<= {P95_MAX_MS:.0f} ms",
                measured,
                got["p95_ms"] <= P95_MAX_MS,
            )
        )
    report.raw = {
        "events": data.events,
        "event_logs_rows": data.log_rows,
        "rows": data.rollup_rows,
        "by_schema": data.by_schema,
        "generation_s": {k: round(v, 2) for k, v in data.seconds.items()},
        "cpu_cores": {k: round(v, 3) for k, v in cpu.items()},
        "scenarios": result["scenarios"],
    }
    report.method = [
        f"A fresh database on the benchmarks' PostgreSQL server. Three schemas with 4, 5 and 6 "
        "event types and four adaptors are registered in the catalog, and every read model's "
        "tables are created as `eventlens api` creates them. The read models of "
        f"{data.events:,} events over the last {DAYS} days are then generated in SQL: every "
        "minute of the range gets a count per adaptor and event type, in proportion to a "
        "weight (event type, adaptor, hour of day, weekday or weekend) and summing to exactly "
        "N; `stats_hourly` and `stats_daily` are their sums. `stats_daily_uniques` gets, per "
        "day and adaptor, a sketch of sessions (new each day, one per 8 of the day's events) "
        "and of users (60 % as many, drawn from 40,000 returning users per adaptor), built "
        "with `Sketch` (dense once past 512 ids, as in production); `event_logs` gets "
        f"{data.log_rows:,} rows spread over the range. Then `VACUUM (ANALYZE)` and `CHECKPOINT`.",
        "The generated range ends a minute before generation and starts 20 minutes after the "
        'start of a "last 30 days" range at generation time, so that such a range, whose '
        "start moves with the clock, covers all of it while the queries run (checked): every "
        "stats answer must be exactly N (or the schema's share).",
        "`eventlens api` runs against that database; a load generator in its own process "
        "(`bench/loadgen/queries.py`) sends, per query, 10 warm-up requests and then the "
        "measured ones, with the admin's bearer token. Every answer must be 200 and carry "
        "exactly the expected total (REST `total_events`, GraphQL `totalEvents`, the sum and "
        "number of the time series' points, the ids of the 100 newest events); otherwise the "
        "benchmark fails.",
    ]


def _dense(data: Dataset) -> str:
    sketches = 2 * data.sketches
    if data.dense_sketches == sketches:
        return f"all {sketches} sketches dense: HyperLogLog registers, past 512 ids"
    return (
        f"{data.dense_sketches} of their {sketches} sketches dense, the others exact sets "
        "of at most 512 ids"
    )


def _expected(value: Any) -> str:
    if isinstance(value, int):
        return f"total {value:,}"
    text = str(value)
    return text if len(text) < 40 else text[:24] + "..."
