"""`python -m bench.stats_compare --against REV`: this checkout's 30-day stats query against
another revision's, on read models both built from the same events.

Both revisions run side by side (each its own `eventlens up` on its own embedded PostgreSQL).
Each is sent the same events, spread over the last 30 days through the batch endpoint, and
its projections build every read model from them, as they would for a user. Then both are
asked for the last 30 days' stats in turn, in alternating order, so each pair of adjacent
rounds shares the machine's mood. Reported: each side's latencies and the median of the
per-round ratios of their medians.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg

from bench.compare import checkout
from bench.core import BenchmarkFailure, Profile, RunContext
from bench.http import request_json
from bench.services.eventlens import EventLens, eventlens_up, login

BATCH = 1000
SCHEMA = "portfolio_events"
TYPES = ("page_view", "page_view", "page_view", "github_project_click", "external_link_click")


def events(count: int, sessions_a_day: int, seed: int) -> list[list[dict[str, object]]]:
    """`count` events over the last 29 days, in batches; the same for every side."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    batches: list[list[dict[str, object]]] = []
    for start in range(0, count, BATCH):
        batch: list[dict[str, object]] = []
        for _ in range(min(BATCH, count - start)):
            # Inside the last 29 days: the 30-day window moves on while the events are sent.
            moment = now - timedelta(seconds=rng.uniform(0, 29 * 86400))
            day = moment.date().toordinal()
            batch.append(
                {
                    "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "schema_id": SCHEMA,
                    "event_type": rng.choice(TYPES),
                    "session_id": f"s{day}-{rng.randrange(sessions_a_day)}",
                    "user_id": f"u{rng.randrange(sessions_a_day * 3)}",
                    "timestamp": moment.isoformat(),
                    "properties": {"page_path": f"/p{rng.randrange(50)}", "link_text": "x"},
                }
            )
        batches.append(batch)
    return batches


def fill(side: EventLens, container_id: str, batches: list[list[dict[str, object]]]) -> None:
    url = side.server.base_url + "/api/events/batch"
    for batch in batches:
        body = {"events": [{**e, "container_id": container_id} for e in batch]}
        status, answer = request_json("POST", url, body)
        if status != 202 or answer["accepted"] != len(batch):
            raise BenchmarkFailure(f"a batch was not accepted whole: {status} {answer}")


def stats(side: EventLens, token: str) -> tuple[float, int]:
    started = time.perf_counter()
    status, body = request_json(
        "GET", side.server.base_url + "/api/events/stats?days=30", token=token
    )
    elapsed = time.perf_counter() - started
    if status != 200:
        raise BenchmarkFailure(f"stats failed: {status} {body}")
    return elapsed, int(body["total_events"])


def wait_until_projected(side: EventLens, token: str, count: int, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while stats(side, token)[1] < count:
        if time.monotonic() > deadline:
            raise BenchmarkFailure("the projections did not catch up")
        time.sleep(1)


def settle(side: EventLens) -> None:
    """What autovacuum would do soon after a burst of writes, done now on both sides alike:
    the read models' dead row versions cleared and their statistics current, so the
    measurement sees neither side mid-cleanup."""
    with psycopg.connect(side.database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stats_compare", description=__doc__)
    parser.add_argument("--against", required=True, metavar="REV", help="the git revision")
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--sessions-a-day", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--requests", type=int, default=50, help="requests per side a round")
    parser.add_argument(
        "--keep-workdir", action="store_true", help="keep data directories and logs"
    )
    args = parser.parse_args(argv)
    batches = events(args.events, args.sessions_a_day, seed=7)
    with (
        RunContext(Profile.full(), keep_workdir=args.keep_workdir) as ctx,
        checkout(args.against, ctx.scratch("rev") / "tree") as tree,
        eventlens_up(
            ctx.fresh_dir("against") / "data", {"PYTHONPATH": f"{tree / 'src'}"}
        ) as theirs,
        eventlens_up(ctx.fresh_dir("this") / "data") as ours,
    ):
        sides = {args.against: theirs, "this checkout": ours}
        tokens = {}
        for name, side in sides.items():
            fill(side, side.setup_seed_site(), batches)
            tokens[name] = login(side.server.base_url)
            wait_until_projected(side, tokens[name], args.events)
            settle(side)
            print(f"{name}: {args.events:,} events projected", flush=True)
        medians: dict[str, list[float]] = {name: [] for name in sides}
        every: dict[str, list[float]] = {name: [] for name in sides}
        names = list(sides)
        for round_ in range(args.rounds):
            for name in names if round_ % 2 == 0 else names[::-1]:
                times = [stats(sides[name], tokens[name])[0] for _ in range(args.requests)]
                medians[name].append(statistics.median(times))
                every[name] += times
    print(f"\n30-day stats over {args.events:,} events, {args.rounds} rounds of {args.requests}")
    for name in names:
        ms = sorted(t * 1000 for t in every[name])
        p95 = ms[int(0.95 * (len(ms) - 1))]
        print(f"{name:<16} p50 {statistics.median(ms):6.2f} ms  p95 {p95:6.2f} ms")
    ratios = [n / b for n, b in zip(medians["this checkout"], medians[args.against], strict=True)]
    print(
        f"this / that, median of the rounds' medians: {statistics.median(ratios):.2f}x "
        f"(range {min(ratios):.2f}-{max(ratios):.2f}x)"
    )


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BenchmarkFailure as failure:
        sys.exit(f"stats_compare failed: {failure}")
