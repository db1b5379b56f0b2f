"""`python -m bench.compare --against REV`: this checkout's ingest against another revision's,
side by side in one run.

On a shared machine throughput drifts by tens of percent within minutes, which hides a change
of a few percent between two runs of `make bench`. Here both versions run at once (each its own
`eventlens up` on its own embedded PostgreSQL) and are loaded in turn, in alternating order, so
each pair of adjacent loads shares the machine's mood. Reported: each load, each side's median,
and the median of the per-pair ratios. Every load's events are verified exactly once, as in
`make bench`. With `--kafka` both run with the Kafka event store, on one broker and one
PostgreSQL server (each its own topics and database).

Who sends the events: by default the seed snippet's 20,000 visitors drawn at random, each with
a user id (so each event is sealed, and each visitor's first makes a key). `--users 2000` is
a site's identified users coming back (their keys made in the warm-up), `--users 0` the
tracker's cookieless events (nothing personal), and `--new-users` makes every load's visitors
new to the server (each of their first events makes a key: sealing's worst case).
`--against-users` gives the other revision's loads visitors of their own: `--against HEAD
--against-users 0` puts this checkout's code against itself, with and without user ids, which
is what sealing costs (and nothing else that changed since an older revision).
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.core import ROOT, BenchmarkFailure, Profile, RunContext
from bench.loadgen.wrk import WrkResult, ensure_wrk, run_wrk
from bench.procstats import CpuMeter
from bench.services.eventlens import EventLens, eventlens_up
from bench.services.kafka import kafka_broker
from bench.services.postgres import postgres_server
from bench.targets.eventlens import KafkaStoreCounter, PostgresStoreCounter, kafka_store_env
from bench.verify import EventCounter, Ledger, SentEvents

BATCH_EVENTS = 100
WARMUP_S = 5


@dataclass(frozen=True)
class Users:
    """Who sends a load's events: `count` visitors (0: no user ids), `new` to the server in
    each load, or the same ones throughout."""

    count: int = 20_000
    new: bool = False

    @property
    def label(self) -> str:
        if self.count == 0:
            return "no user ids"
        return f"{self.count:,} {'new ' if self.new else ''}users a load"


@dataclass
class Side:
    name: str
    server: EventLens
    container_id: str
    ledger: Ledger
    counter: EventCounter
    users: Users

    def load(self, connections: int, seconds: int, batch: bool) -> tuple[WrkResult, float]:
        """One load; the result and the CPU microseconds the app's processes spent an event."""
        path = "/api/events/batch" if batch else "/api/events/ingest"
        meter = CpuMeter({"app": self.server.app_pids})
        meter.start()
        result = run_wrk(
            self.server.server.base_url + path,
            connections,
            seconds,
            self.container_id,
            BATCH_EVENTS if batch else 0,
            users=self.users.count,
            user_prefix=f"user_{secrets.token_hex(4)}_" if self.users.new else None,
        )
        cores = meter.stop()["app"]
        result.check()
        self.ledger.add(SentEvents(result.tag, result.events_acknowledged, result.events_sent, ""))
        self.ledger.verify(self.counter)
        return result, 1e6 * cores / result.events_per_s


@contextlib.contextmanager
def checkout(revision: str, into: Path) -> Iterator[Path]:
    """A detached worktree of `revision`, removed afterwards."""
    git = ["git", "-C", str(ROOT)]
    done = subprocess.run(
        [*git, "worktree", "add", "--detach", str(into), revision],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchmarkFailure(f"cannot check out {revision!r}: {done.stderr.strip()}")
    try:
        yield into
    finally:
        subprocess.run([*git, "worktree", "remove", "--force", str(into)], check=False)


CounterFor = Callable[[EventLens], EventCounter]


def postgres_side(_name: str) -> tuple[dict[str, str], CounterFor]:
    """The embedded default: `eventlens up` starts its own PostgreSQL."""
    return {}, lambda server: PostgresStoreCounter(server.database_url)


def kafka_sides(ctx: RunContext) -> Callable[[str], tuple[dict[str, str], CounterFor]]:
    """The Kafka event store: one broker and one PostgreSQL server, shared by both sides."""
    broker = ctx.service("kafka", kafka_broker)
    pg = ctx.service("postgres", postgres_server)

    def side(name: str) -> tuple[dict[str, str], CounterFor]:
        env, prefix = kafka_store_env(broker, pg, f"compare_{name}")
        return env, lambda server: KafkaStoreCounter(server.database_url, broker, prefix)

    return side


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("--against", required=True, metavar="REV", help="the git revision")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--batch", action="store_true", help=f"{BATCH_EVENTS} events a request")
    parser.add_argument("--kafka", action="store_true", help="the Kafka event store on both sides")
    parser.add_argument("--rounds", type=int, default=6, help="loads per side")
    parser.add_argument("--seconds", type=int, default=10, help="length of each load")
    parser.add_argument(
        "--users", type=int, default=20_000, help="visitors, each with a user id (0: none)"
    )
    parser.add_argument(
        "--new-users", action="store_true", help="each load's visitors new to the server"
    )
    parser.add_argument(
        "--against-users", type=int, help="the other revision's visitors (default: --users)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.connections <= 1024 or args.rounds < 1 or not 1 <= args.seconds <= 600:
        parser.error("connections must be 1-1024, rounds at least 1, seconds 1-600")
    if args.against_users is None:
        args.against_users = args.users
    if not 0 <= min(args.users, args.against_users) <= max(args.users, args.against_users) <= 1e7:
        parser.error("users must be 0-10,000,000")
    if args.new_users and args.users == 0:
        parser.error("--new-users needs users (--users above 0)")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    users = Users(args.users, args.new_users)
    their_users = Users(args.against_users, args.new_users)
    ensure_wrk()
    with (
        RunContext(Profile.full()) as ctx,
        checkout(args.against, ctx.scratch("rev") / "tree") as tree,
    ):
        # The other revision's code is imported first by its `eventlens up`; the harness is ours.
        side_env = kafka_sides(ctx) if args.kafka else postgres_side
        theirs_env, theirs_counter = side_env("against")
        ours_env, ours_counter = side_env("this")
        theirs_env["PYTHONPATH"] = f"{tree / 'src'}:{ROOT}"
        with (
            eventlens_up(ctx.fresh_dir("against") / "data", theirs_env) as theirs,
            eventlens_up(ctx.fresh_dir("this") / "data", ours_env) as ours,
        ):
            sides = [
                Side(name, server, server.setup_seed_site(), Ledger(name), counter(server), who)
                for name, server, counter, who in (
                    (args.against, theirs, theirs_counter, their_users),
                    ("this checkout", ours, ours_counter, users),
                )
            ]
            for side in sides:  # warm up, unmeasured
                side.load(args.connections, WARMUP_S, args.batch)
            rates: dict[str, list[float]] = {side.name: [] for side in sides}
            cpu: dict[str, list[float]] = {side.name: [] for side in sides}
            for round_ in range(args.rounds):
                for side in sides if round_ % 2 == 0 else sides[::-1]:
                    result, cpu_us = side.load(args.connections, args.seconds, args.batch)
                    rates[side.name].append(result.events_per_s)
                    cpu[side.name].append(cpu_us)
                    print(
                        f"round {round_ + 1}  {side.name:<16} {result.events_per_s:9,.0f} "
                        f"events/s  p99 {result.p99_ms:6.1f} ms  app CPU {cpu_us:6.1f} us/event",
                        flush=True,
                    )
    store = "Kafka" if args.kafka else "PostgreSQL"
    events = "batches of 100" if args.batch else "single events"
    who = users.label if users == their_users else f"{their_users.label} against {users.label}"
    load = f"{store} store, {events}, {args.connections} conns, {who}"
    print(f"\n{load}, {args.rounds} rounds of {args.seconds} s, every event verified")
    for what, values in (("events/s", rates), ("app CPU us/event", cpu)):
        base, new = values[args.against], values["this checkout"]
        ratios = [n / b for n, b in zip(new, base, strict=True)]
        print(
            f"{what}: {args.against} median {statistics.median(base):,.1f}, this checkout "
            f"{statistics.median(new):,.1f}; this / that, median of the pairs "
            f"{statistics.median(ratios):.2f}x (range {min(ratios):.2f}-{max(ratios):.2f}x)"
        )


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except BenchmarkFailure as failure:
        sys.exit(f"compare failed: {failure}")
