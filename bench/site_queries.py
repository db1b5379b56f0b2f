"""`python -m bench.site_queries`: one site's Stats API v2 queries, funnels and goal conversions
over HTTP, on the dataset the `pages` benchmark builds through the product (10,000,000 events
of four sites over 30 days, imported through the API and projected by the workers).

The dataset's copy is served by `eventlens up` alone: nothing else runs, so each figure is one
query's own cost. The shop's goals (the page `/` and the events `product_view`, `add_to_cart`
and `purchase`) are added through the REST API, as a site owner adds them. Each query is sent
once cold (the first after start), once to warm up, then `--rounds` times one after another;
p50, p95 and p99 are reported beside the target the issues set.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.core import BenchmarkFailure, Profile, RunContext
from bench.dataset import DAYS, prepared
from bench.http import request_json
from bench.services.eventlens import eventlens_up, login
from bench.web_stats import percentile, queries

SITE, SHOP_SCHEMA = "Shop", "shop_events"  # the dataset's largest site: 40 % of its visitors
GOALS: list[dict[str, str]] = [
    {"page_path": "/"},
    {"event_name": "product_view"},
    {"event_name": "add_to_cart"},
    {"event_name": "purchase"},
]
FOUR = ["Visit /", "product_view", "add_to_cart", "purchase"]
GOAL_CARD = {"metrics": ["visitors", "events", "conversion_rate"], "dimensions": ["event:goal"]}
PURCHASE = ["is", "event:goal", ["purchase"]]
ORGANIC = ["is", "visit:channel", ["Organic Search"]]
# The p95 targets: unfiltered and filtered stats, funnels, goal conversion breakdowns
UNFILTERED_MS, FILTERED_MS, FUNNEL_MS, GOALS_MS = 50.0, 300.0, 500.0, 300.0


def stats_queries(site_id: str) -> dict[str, tuple[str, dict[str, Any], float]]:
    """The site dashboard's Stats API queries over the 30 days (`bench.web_stats`'s set) and
    the goal conversion breakdowns: (path, body, target p95 ms) by name."""
    today = datetime.now(UTC).date()
    first, last = today - timedelta(days=DAYS), today - timedelta(days=1)
    asked: dict[str, tuple[str, dict[str, Any], float]] = {}
    for name, body in queries(first, last).items():
        target = FILTERED_MS if body.get("filters") else UNFILTERED_MS
        asked[name] = ("/api/v2/query", {"site_id": site_id, **body}, target)
    span = [first.isoformat(), last.isoformat()]
    goal_queries: dict[str, dict[str, Any]] = {
        "goal conversions": GOAL_CARD,
        "goal conversions, one filter": {**GOAL_CARD, "filters": [ORGANIC]},
        "purchases by source": {
            "metrics": ["visitors", "events", "conversion_rate"],
            "dimensions": ["visit:source"],
            "filters": [PURCHASE],
        },
        "purchases by device": {
            "metrics": ["visitors", "conversion_rate"],
            "dimensions": ["visit:device"],
            "filters": [PURCHASE],
        },
    }
    for name, body in goal_queries.items():
        asked[name] = ("/api/v2/query", {"site_id": site_id, "date_range": span, **body}, GOALS_MS)
    funnels: dict[str, dict[str, Any]] = {
        "funnel, 2 steps, a visit": {"steps": FOUR[:2]},
        "funnel, 4 steps, a visit": {"steps": FOUR},
        "funnel, 4 steps, 7 days": {"steps": FOUR, "within": "7d"},
        "funnel, 4 steps, by source": {"steps": FOUR, "breakdown": "visit:source"},
        "funnel, 4 steps, one filter": {"steps": FOUR, "filters": [ORGANIC]},
    }
    for name, body in funnels.items():
        asked[name] = (
            "/api/v2/funnel",
            {"site_id": site_id, "date_range": span, **body},
            FUNNEL_MS,
        )
    return asked


def add_goals(base_url: str, token: str, site_id: str) -> None:
    for goal in GOALS:
        status, body = request_json(
            "POST", base_url + "/api/goals/", {"site_id": site_id, **goal}, token
        )
        if status != 201:
            raise BenchmarkFailure(f"adding the goal {goal} failed: {status} {body}")
    # The API learns of a new goal from the catalog's notification: wait until it answers.
    probe = {"site_id": site_id, "date_range": "day", "steps": FOUR}
    deadline = time.monotonic() + 30
    while (status := request_json("POST", base_url + "/api/v2/funnel", probe, token)[0]) != 200:
        if time.monotonic() > deadline:
            raise BenchmarkFailure(f"the goals were not known to the API after 30 s: {status}")
        time.sleep(0.2)


def timed(send: Callable[[], tuple[int, Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    status, body = send()
    taken = (time.perf_counter() - started) * 1000
    if status != 200:
        raise BenchmarkFailure(f"a query was answered {status}: {str(body)[:300]}")
    return taken, body


def rows_of(body: Any) -> int:
    if isinstance(body, dict) and isinstance(body.get("results"), list):
        return len(body["results"])
    if isinstance(body, dict) and isinstance(body.get("steps"), list):
        return len(body["steps"])
    return 0


def run(events: int, rounds: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    with RunContext(Profile.full()) as ctx, prepared(ctx, events, "site-queries") as dataset:
        print(f"dataset: {dataset.describe()}", flush=True)
        site = next(s for s in dataset.sites if s.schema_id == SHOP_SCHEMA)
        with eventlens_up(dataset.data_dir) as app:
            base, token = app.server.base_url, login(app.server.base_url)
            asked = stats_queries(site.container_id)
            add_goals(base, token, site.container_id)
            for name, (path, body, target) in asked.items():

                def send(path: str = path, body: dict[str, Any] = body) -> tuple[int, Any]:
                    return request_json("POST", base + path, body, token, timeout=120)

                cold, answer = timed(send)
                timed(send)
                taken = [timed(send)[0] for _ in range(rounds)]
                row = {
                    "query": name,
                    "target_ms": target,
                    "cold_ms": cold,
                    "p50_ms": statistics.median(taken),
                    "p95_ms": percentile(taken, 0.95),
                    "p99_ms": percentile(taken, 0.99),
                    "rows": rows_of(answer),
                }
                print(
                    f"  {name:<34} p50 {row['p50_ms']:8.1f}  p95 {row['p95_ms']:8.1f}  "
                    f"(target {target:.0f} ms)",
                    flush=True,
                )
                found.append(row)
    return found


def markdown(found: list[dict[str, Any]], events: int, rounds: int) -> str:
    lines = [
        f"{events:,} events over {DAYS} days, site {SITE!r}; {rounds} requests per query after "
        "a cold one and a warm-up, one at a time, over HTTP",
        "",
        "| query | rows | cold ms | p50 ms | p95 ms | p99 ms | target p95 | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in found:
        lines.append(
            f"| {r['query']} | {r['rows']} | {r['cold_ms']:,.1f} | {r['p50_ms']:,.1f} | "
            f"{r['p95_ms']:,.1f} | {r['p99_ms']:,.1f} | {r['target_ms']:,.0f} ms | "
            f"{'yes' if r['p95_ms'] <= r['target_ms'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.site_queries", description=__doc__)
    parser.add_argument("--events", type=int, default=Profile.full().dataset_events)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--output", type=Path, help="also write the Markdown table here")
    args = parser.parse_args(argv)
    found = run(args.events, args.rounds)
    table = markdown(found, args.events, args.rounds)
    print(table)
    if args.output:
        args.output.write_text(table)


if __name__ == "__main__":
    main()
