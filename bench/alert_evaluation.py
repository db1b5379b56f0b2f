"""`python -m bench.alert_evaluation`: how long the alert evaluator takes for 50 rules.

N events (default 1,000,000) of one site over the last `--days` days (35: five weeks, so the
traffic rules have their history) are appended to the PostgreSQL event store and projected by
a real worker, as `bench.web_stats` does. The site gets a goal and 50 rules, ten of each kind
the workers can measure: traffic on visitors and on page views (each rule with its own number
of weeks, so none shares another's query), goal conversions, rejected events, bots and
projection lag. Then the evaluator (`AlertEvaluator.evaluate`, in process, no channels to send
to) runs `--rounds` times after a warm-up; the p50 and the slowest round are reported, with
their share of the evaluation interval (a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from psycopg_pool import AsyncConnectionPool

from bench.core import BenchmarkFailure, Profile, RunContext
from bench.services.postgres import postgres_server
from bench.web_stats import fill_and_project
from eventlens.alerting.delivery import Mailer, WebhookSender
from eventlens.alerting.evaluator import AlertEvaluator
from eventlens.alerting.measures import Measures
from eventlens.commands.actor import SYSTEM
from eventlens.commands.add_goal import AddGoal, add_goal
from eventlens.commands.create_alert_rule import CreateAlertRule, create_alert_rule
from eventlens.config import Settings
from eventlens.eventstore.catalog import open_catalog
from eventlens.projections.alert_views import AlertViews
from eventlens.projections.catalog_views import CatalogViews
from eventlens.projections.worker import ProjectionWorker
from eventlens.runtime.wiring import make_head_probe, projection_lags, reader_factory
from eventlens.views.web_stats.postgres import PostgresWebStats

INTERVAL_S = 60


def rules() -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for n in range(10):
        weeks = 3 + n % 10
        found.append({"kind": "traffic", "metric": "visitors", "weeks": weeks})
        found.append({"kind": "traffic", "metric": "pageviews", "weeks": weeks})
        found.append({"kind": "goal_conversions", "goal": "signup", "window_minutes": 60 * (n + 1)})
        found.append({"kind": "rejected_events", "window_minutes": 60 * (n + 1)})
        found.append({"kind": "projection_lag" if n % 2 else "bots"})
    return found


def set_up_rules(url: str, container: str) -> None:
    catalog = open_catalog(url)
    try:
        add_goal(AddGoal(SYSTEM, container, event_name="signup"), catalog)
        for settings in rules():
            create_alert_rule(CreateAlertRule(SYSTEM, container, settings), catalog)
        for projection in (CatalogViews(catalog), AlertViews(catalog)):
            worker = ProjectionWorker(
                url, projection, reader_factory(Settings(), url, projection, catalog)
            )
            worker.setup()
            with worker.running() as step:
                while step():
                    pass
    finally:
        catalog.close()


async def time_evaluations(url: str, rounds: int) -> list[float]:
    AlertEvaluator.setup(url)
    catalog = open_catalog(url)
    heads = make_head_probe(Settings(), url)

    async def lag() -> float:
        lags = await asyncio.to_thread(projection_lags, url, heads, catalog)
        return max((item.seconds_behind for item in lags), default=0.0)

    async with AsyncConnectionPool(url, min_size=1, max_size=2) as pool:
        evaluator = AlertEvaluator(
            url, Measures(PostgresWebStats(pool), pool, lag), Mailer(None), WebhookSender(None)
        )
        timings = []
        now = datetime.now(UTC)
        for n in range(rounds + 1):
            started = time.perf_counter()
            done = await evaluator.evaluate(now + timedelta(minutes=n))
            elapsed = time.perf_counter() - started
            if done is None or done.evaluated != 50:
                raise BenchmarkFailure(f"the evaluator did not evaluate the 50 rules: {done}")
            if n:  # the first round warms the caches up
                timings.append(elapsed)
    catalog.close()
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.alert_evaluation", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--timezone", default="UTC")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-workdir", action="store_true")
    args = parser.parse_args(argv)
    with RunContext(Profile.full(), keep_workdir=args.keep_workdir) as ctx:
        url = ctx.service("postgres", postgres_server).create_database("bench_alerts")
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        container = fill_and_project(ctx, url, args, end)
        set_up_rules(url, container)
        timings = asyncio.run(time_evaluations(url, args.rounds))
        p50, worst = statistics.median(timings), max(timings)
        print(
            f"50 rules: p50 {p50 * 1000:.0f} ms, slowest {worst * 1000:.0f} ms per evaluation; "
            f"{p50 / INTERVAL_S:.2%} (slowest {worst / INTERVAL_S:.2%}) of a minute",
            flush=True,
        )


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BenchmarkFailure as failure:
        sys.exit(f"alert_evaluation failed: {failure}")
