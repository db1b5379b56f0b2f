"""`python -m bench.funnels`: funnels on a month of one site's web analytics.

The same site and events as `bench.web_stats` (appended to the PostgreSQL event store and
projected by the real worker), with four goals (the pages `/`, `/pricing` and `/signup`, and
the `signup` event); then 2- and 4-step funnels over the whole range, within a visit and
within 7 days, and one broken down by source, run in-process as `POST /api/v2/funnel` runs
them (no HTTP), each `--rounds` times after a warm-up; p50 and p95 are reported, with the
answer's first and last step.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg_pool import AsyncConnectionPool

from bench.core import BenchmarkFailure, Profile, RunContext
from bench.services.postgres import postgres_server
from bench.web_stats import fill_and_project, percentile, settle, sizes
from bench.web_stats_history import SCHEMA
from eventlens.domain.funnels import read_funnel_query
from eventlens.domain.goals import Goal
from eventlens.domain.stats_query import Site
from eventlens.domain.stats_query.dates import resolve
from eventlens.views.conversions import run_funnel
from eventlens.views.funnels import FunnelPlan, funnel_sql
from eventlens.views.web_stats.columns import Params
from eventlens.views.web_stats.scopes import Scopes

FOUR = ["Visit /", "Visit /pricing", "Visit /signup", "signup"]
# A candidate index (not in the schema: its cost on ingest is not measured yet), `--index`.
STEP_INDEX = (
    "CREATE INDEX bench_event_logs_steps ON event_logs "
    '(container_id, event_type, "timestamp") INCLUDE (path, visitor_id, user_id, session_id, '
    "visit_id)"
)
FUNNELS: dict[str, dict[str, Any]] = {
    "2 steps, a visit": {"steps": FOUR[1:3]},
    "4 steps, a visit": {"steps": FOUR},
    "4 steps, 7 days": {"steps": FOUR, "within": "7d"},
    "4 steps, a visit, by source": {"steps": FOUR, "breakdown": "visit:source"},
}


def goals(container: str) -> tuple[Goal, ...]:
    made = datetime.now(UTC)
    pages = [
        Goal(f"g{i}", container, None, path, f"Visit {path}", None, made)
        for i, path in enumerate(("/", "/pricing", "/signup"))
    ]
    return (*pages, Goal("g3", container, "signup", None, "signup", None, made))


async def explain(pool: Any, site: Site, first: str, last: str) -> None:
    """The 4-step funnel's plan, as PostgreSQL ran it."""
    query = read_funnel_query(
        {"site_id": site.container_id, "date_range": [first, last], "steps": FOUR}
    )
    zone = ZoneInfo(site.timezone)
    time_range = resolve(query.date_range, datetime.now(zone).date(), site.timezone)
    plan = FunnelPlan(tuple(g for g in site.goals), query.within, time_range)
    params = Params()
    statement = funnel_sql(Scopes(site, time_range, params, {}), plan)
    async with pool.connection() as conn:
        cursor = await conn.execute(
            sql.SQL("EXPLAIN (ANALYZE, BUFFERS) {}").format(statement), params.values
        )
        for (line,) in await cursor.fetchall():
            print(f"    {line}", flush=True)


async def time_funnels(
    url: str, site: Site, first: str, last: str, rounds: int, show_plan: bool
) -> None:
    now = datetime.now(UTC)
    async with AsyncConnectionPool(url, min_size=1, max_size=2, open=False) as pool:
        if show_plan:
            await explain(pool, site, first, last)
        for name, body in FUNNELS.items():
            asked = {"site_id": site.container_id, "date_range": [first, last], **body}
            query = read_funnel_query(asked)
            answer = await run_funnel(pool, site, query, now)  # warm-up
            taken = []
            for _ in range(rounds):
                started = time.perf_counter()
                await run_funnel(pool, site, query, now)
                taken.append((time.perf_counter() - started) * 1000)
            steps = answer["steps"]
            print(
                f"  {name:<28} p50 {statistics.median(taken):7.1f} ms  "
                f"p95 {percentile(taken, 0.95):7.1f} ms  "
                f"visitors {steps[0]['visitors']:,} -> {steps[-1]['visitors']:,}",
                flush=True,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.funnels", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--timezone", default="UTC", help="the site's time zone")
    parser.add_argument("--rounds", type=int, default=20, help="timed runs of each funnel")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the 4-step plan")
    parser.add_argument(
        "--index", action="store_true", help="then again with a candidate index (STEP_INDEX)"
    )
    parser.add_argument("--keep-workdir", action="store_true")
    args = parser.parse_args(argv)
    args.against = None
    with RunContext(Profile.full(), keep_workdir=args.keep_workdir) as ctx:
        pg = ctx.service("postgres", postgres_server)
        url = pg.create_database("bench_funnels")
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        container = fill_and_project(ctx, url, args, end)
        site = Site(container, SCHEMA, args.timezone, goals(container))
        settle(url)
        print(f"  {sizes(url)}", flush=True)
        last = (end - timedelta(seconds=1)).astimezone(ZoneInfo(site.timezone)).date()
        first = last - timedelta(days=args.days - 1)
        print(f"funnels over {first} to {last}", flush=True)
        asked = (url, site, first.isoformat(), last.isoformat(), args.rounds, args.explain)
        asyncio.run(time_funnels(*asked))
        if args.index:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(STEP_INDEX)
                conn.execute("VACUUM (ANALYZE) event_logs")
            print("with the candidate index", flush=True)
            asyncio.run(time_funnels(*asked))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BenchmarkFailure as failure:
        sys.exit(f"funnels failed: {failure}")
