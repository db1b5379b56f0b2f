"""`python -m bench.web_stats`: the Stats API v2 on a month of one site's web analytics.

N events (default 1,000,000) of one site over the last `--days` days are appended straight
into the PostgreSQL event store, as the tracker and ingest would have recorded them: visitors
(cookieless ids, a new one each day), visits of several events (about five page views, some
engagement and custom events), sources and campaigns, devices, places and pages, each drawn
from a skewed distribution. The real projection (`eventlens worker`, its own process) builds
every read model from them; its rate is reported. Then the queries the site dashboard asks
(top graph, visitors by day, the breakdown cards) and filtered ones are run in-process through
`run_query` and `PostgresWebStats`, as `POST /api/v2/query` runs them (no HTTP), each
`--rounds` times after a warm-up, from the rollups and from the raw tables; p50 and p95 are
reported.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg_pool import AsyncConnectionPool

from bench.compare import checkout
from bench.core import BenchmarkFailure, Profile, RunContext
from bench.history import postgres_progress, wait_projected, worker_process
from bench.services.postgres import postgres_server
from bench.web_stats_history import SCHEMA, generate
from eventlens.domain.stats_query import Site, read_query
from eventlens.views.web_stats.postgres import PostgresWebStats
from eventlens.views.web_stats.runner import run_query

APPEND = 5_000  # events per append (one transaction)
IN_FLIGHT = 3  # appends queued while the next batch is generated
TOP_GRAPH = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration", "views_per_visit"]
ORGANIC = ["is", "visit:channel", ["Organic Search"]]
MOBILE = ["is", "visit:device", ["Mobile"]]


def queries(first: date, last: date) -> dict[str, dict[str, Any]]:
    """The dashboard's queries over the whole range (`statsApi.ts`), and filtered ones."""
    span = [first.isoformat(), last.isoformat()]
    previous: dict[str, Any] = {"comparisons": {"mode": "previous_period"}}

    def card(*dimensions: str, filters: list[Any] | None = None) -> dict[str, Any]:
        return {
            "metrics": ["visitors", "percentage"],
            "dimensions": list(dimensions),
            "order_by": [["visitors", "desc"]],
            "include": {"total_rows": True},
            "pagination": {"limit": 9, "offset": 0},
            "filters": filters or [],
        }

    asked: dict[str, dict[str, Any]] = {
        "top graph": {"metrics": TOP_GRAPH},
        "top graph, previous period": {"metrics": TOP_GRAPH, "include": previous},
        "visitors by day": {
            "metrics": ["visitors"],
            "dimensions": ["time:day"],
            "include": {"time_labels": True, **previous},
        },
        "page views by day": {"metrics": ["pageviews"], "dimensions": ["time:day"]},
        "top sources": card("visit:source"),
        "channels": card("visit:channel"),
        "top pages": card("event:page"),
        "entry pages": card("visit:entry_page"),
        "exit pages": card("visit:exit_page"),
        "countries": card("visit:country_name", "visit:country"),
        "cities": card("visit:city_name"),
        "browsers": card("visit:browser"),
        "devices": card("visit:device"),
        "top graph, one filter": {"metrics": TOP_GRAPH, "filters": [ORGANIC]},
        "top graph, two filters": {"metrics": TOP_GRAPH, "filters": [ORGANIC, MOBILE]},
        "top sources, one filter": card("visit:source", filters=[MOBILE]),
        "top pages, two filters": card("event:page", filters=[ORGANIC, MOBILE]),
    }
    return {name: {"date_range": span, **query} for name, query in asked.items()}


def register_site(url: str, timezone: str) -> str:
    """A schema with one custom event and an adaptor for the site, recorded in the catalog as
    the REST API records them; returns the container id."""
    from eventlens.commands.actor import SYSTEM
    from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
    from eventlens.commands.register_schema import RegisterSchema, register_schema
    from eventlens.eventstore.catalog import open_catalog

    catalog = open_catalog(url)
    try:
        register_schema(RegisterSchema(SYSTEM, SCHEMA, "A shop", {"signup": {}}), catalog)
        adaptor = create_adaptor(
            CreateAdaptor(
                SYSTEM,
                name="Shop",
                schema_name=SCHEMA,
                website_urls=["https://shop.example"],
                timezone=timezone,
            ),
            catalog,
        )
        return adaptor.container_id
    finally:
        catalog.close()


async def append_all(url: str, batches: Iterator[list[Any]]) -> int:
    from eventlens.eventstore.postgres import PostgresEventStore

    store = PostgresEventStore(url)
    await store.start()
    pending: set[asyncio.Future[None]] = set()
    appended = 0
    try:
        for batch in batches:
            pending.add(store.append_tracked(batch))
            appended += len(batch)
            await asyncio.sleep(0)
            if len(pending) >= IN_FLIGHT:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
        for task in pending:
            await task
    finally:
        await store.close()
    return appended


def in_batches(events: Iterator[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for event in events:
        batch.append(event)
        if len(batch) == APPEND:
            yield batch
            batch = []
    if batch:
        yield batch


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


async def time_queries(
    url: str, site: Site, asked: dict[str, dict[str, Any]], rounds: int, raw_rounds: int
) -> dict[str, dict[str, Any]]:
    now = datetime.now(UTC)
    found: dict[str, dict[str, Any]] = {}
    async with AsyncConnectionPool(url, min_size=1, max_size=2, open=False) as pool:
        engines = {
            "rollups": (PostgresWebStats(pool), rounds),
            "raw": (PostgresWebStats(pool, rollups=False), raw_rounds),
        }
        for name, body in asked.items():
            query = read_query({"site_id": site.container_id, **body})
            found[name] = {}
            answers = {}
            for way, (engine, times) in engines.items():
                if not times:
                    continue
                answers[way] = await run_query(engine, site, query, now)  # warm-up
                taken = []
                for _ in range(times):
                    started = time.perf_counter()
                    await run_query(engine, site, query, now)
                    taken.append((time.perf_counter() - started) * 1000)
                found[name][way] = {
                    "p50_ms": round(statistics.median(taken), 2),
                    "p95_ms": round(percentile(taken, 0.95), 2),
                }
            if len(answers) == 2:
                found[name]["differences"] = differences(
                    query.metrics, answers["raw"]["results"], answers["rollups"]["results"]
                )
            print(f"  {name:<28} {found[name]}", flush=True)
    return found


def differences(metrics: tuple[str, ...], raw: list[Any], rolled: list[Any]) -> dict[str, Any]:
    """Where the rollups' answer differs from the raw tables': rows of dimensions only one of
    them has, or each metric's largest relative difference between rows of the same values."""
    expected = {tuple(row["dimensions"]): row["metrics"] for row in raw}
    found = {tuple(row["dimensions"]): row["metrics"] for row in rolled}
    if expected.keys() != found.keys():
        return {
            "rows only raw": len(expected.keys() - found.keys()),
            "rows only rolled up": len(found.keys() - expected.keys()),
        }
    worst: dict[str, Any] = {}
    for index, metric in enumerate(metrics):
        ratio = max(
            (
                abs(found[key][index] - value[index]) / max(abs(value[index]), 1e-9)
                for key, value in expected.items()
                if found[key][index] != value[index]
            ),
            default=0.0,
        )
        if ratio:
            worst[metric] = f"{ratio:.2%}"
    return worst


def settle(url: str) -> None:
    """Statistics for the planner and visibility maps, as autovacuum would leave them."""
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("visits", "visit_rollups", "page_rollups", "event_logs"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
        conn.execute("CHECKPOINT")


def sizes(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        found: dict[str, Any] = {}
        for table in ("event_logs", "visits", "visit_rollups", "page_rollups"):
            row = conn.execute(
                f"SELECT count(*), pg_total_relation_size('{table}') FROM {table}"
            ).fetchone()
            assert row is not None
            found[table] = {"rows": row[0], "mb": round(row[1] / 2**20, 1)}
        return found


def fill_and_project(
    ctx: RunContext,
    url: str,
    args: argparse.Namespace,
    end: datetime,
    worker_env: dict[str, str] | None = None,
) -> str:
    """The site's events appended to the store at `url`, then projected by a worker (of
    another revision, given its environment); returns the site's container id."""
    container = register_site(url, args.timezone)
    events = generate(container, args.events, args.days, end, random.Random(args.seed))
    print(f"appending {args.events:,} events over {args.days} days", flush=True)
    started = time.monotonic()
    appended = asyncio.run(append_all(url, in_batches(events)))
    print(f"  appended {appended:,} in {time.monotonic() - started:.0f} s", flush=True)
    with psycopg.connect(url, autocommit=True) as conn:
        ctx.service("postgres", postgres_server).checkpoint()
        with worker_process(url, ctx.fresh_dir("worker"), worker_env) as worker:
            projected = wait_projected(worker, postgres_progress(conn), stall_timeout=300)
    revision = "another revision's worker" if worker_env else "worker"
    print(
        f"  projected by {revision} at {projected.rate:,.0f} events/s once running "
        f"({projected.wall_s:.0f} s from launch)",
        flush=True,
    )
    return container


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web_stats", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--timezone", default="UTC", help="the site's time zone")
    parser.add_argument("--rounds", type=int, default=30, help="timed runs of each query")
    parser.add_argument(
        "--raw-rounds", type=int, default=5, help="timed runs from the raw tables (0: none)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--against",
        metavar="REV",
        help="also project the same events with this git revision's worker, for its rate",
    )
    parser.add_argument("--keep-workdir", action="store_true")
    args = parser.parse_args(argv)
    with RunContext(Profile.full(), keep_workdir=args.keep_workdir) as ctx:
        pg = ctx.service("postgres", postgres_server)
        url = pg.create_database("bench_web_stats")
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        if args.against:
            with checkout(args.against, ctx.scratch("rev") / "tree") as tree:
                other = pg.create_database("bench_web_stats_against")
                fill_and_project(ctx, other, args, end, {"PYTHONPATH": str(tree / "src")})
                pg.drop_database(other)
        container = fill_and_project(ctx, url, args, end)
        site = Site(container, SCHEMA, args.timezone)
        settle(url)
        print(f"  {sizes(url)}", flush=True)
        last = (end - timedelta(seconds=1)).astimezone(ZoneInfo(site.timezone)).date()
        first = last - timedelta(days=args.days - 1)
        if args.rounds or args.raw_rounds:
            print(f"queries over {first} to {last}, p50 / p95 ms", flush=True)
            asked = queries(first, last)
            asyncio.run(time_queries(url, site, asked, args.rounds, args.raw_rounds))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BenchmarkFailure as failure:
        sys.exit(f"web_stats failed: {failure}")
