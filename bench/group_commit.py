"""`python -m bench.group_commit`: the PostgreSQL event store's group commit under a few
closed-loop clients, with and without a group-commit window, in one process.

Each client appends one event, waits for its acknowledgement, takes `--return-us` off the
event loop (in a thread: the answer's way to the client and the next request's way back),
spends `--work-us` of CPU on the event loop (what parsing and judging a request costs the
API) and appends again.
The windows are run in turn, in alternating order, on one embedded PostgreSQL; reported per
load: events/s, events per commit, and the CPU microseconds an event of this process and of
PostgreSQL (every process of its server).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import uuid4

import psutil
import psycopg
import uvloop

from bench.core import Profile, RunContext
from bench.services.postgres import PostgresServer, postgres_server
from eventlens.domain.tracking import TrackedEvent
from eventlens.eventstore.postgres import PostgresEventStore


@dataclass(frozen=True)
class Load:
    window_us: int
    events: int
    seconds: float
    commits: int
    app_cpu_s: float
    db_cpu_s: float

    def line(self) -> str:
        return (
            f"window {self.window_us:5d} us  {self.events / self.seconds:8,.0f} events/s  "
            f"{self.events / max(1, self.commits):5.2f} events/commit  "
            f"app CPU {self.app_cpu_s * 1e6 / self.events:6.1f} us/event  "
            f"PostgreSQL CPU {self.db_cpu_s * 1e6 / self.events:6.1f} us/event"
        )


def _event(client: int) -> TrackedEvent:
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="bench",
        event_type="page_view",
        received_at=datetime.now(UTC),
        container_id="CAP-BENCH",
        user_id=None,
        session_id=f"s{client}",
        properties={"path": "/", "n": client},
    )


def _busy(seconds: float) -> None:
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


async def _client(
    store: PostgresEventStore, n: int, return_s: float, work_s: float, until: float
) -> int:
    loop = asyncio.get_running_loop()
    sent = 0
    while time.perf_counter() < until:
        await store.append_tracked([_event(n)])
        sent += 1
        await loop.run_in_executor(None, time.sleep, return_s)
        _busy(work_s)
    return sent


def _commits(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])


def _db_cpu(pg: PostgresServer) -> float:
    total = 0.0
    for pid in pg.pids():
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


async def _load(
    url: str,
    pg: PostgresServer,
    window_us: int,
    clients: int,
    return_s: float,
    work_s: float,
    seconds: float,
) -> Load:
    store = PostgresEventStore(url, window_us=window_us)
    await store.start()
    try:
        await store.append_tracked([_event(0)])  # connected
        commits, app, db = _commits(url), time.process_time(), _db_cpu(pg)
        started = time.perf_counter()
        sent = await asyncio.gather(
            *(_client(store, n, return_s, work_s, started + seconds) for n in range(clients))
        )
        elapsed = time.perf_counter() - started
        app_cpu, db_cpu = time.process_time() - app, _db_cpu(pg) - db
        # The count's own transaction is not one of the store's.
        return Load(window_us, sum(sent), elapsed, _commits(url) - commits - 1, app_cpu, db_cpu)
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.group_commit", description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--return-us", type=int, default=200, help="a client's round trip")
    parser.add_argument("--work-us", type=int, default=100, help="CPU per request on the loop")
    parser.add_argument("--windows", default="0,1000", help="comma-separated, in microseconds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    windows = [int(w) for w in args.windows.split(",")]
    results: dict[int, list[Load]] = {w: [] for w in windows}
    with RunContext(Profile.full()) as ctx:
        pg = ctx.service("postgres", postgres_server)
        url = pg.create_database("bench_group_commit")
        for round_ in range(args.rounds):
            order = windows if round_ % 2 == 0 else windows[::-1]
            for window in order:
                load = uvloop.run(
                    _load(
                        url,
                        pg,
                        window,
                        args.clients,
                        args.return_us / 1e6,
                        args.work_us / 1e6,
                        args.seconds,
                    )
                )
                results[window].append(load)
                print(f"round {round_ + 1}  {load.line()}", flush=True)
    print(
        f"{args.clients} clients, {args.return_us} us round trip, "
        f"{args.work_us} us of work a request; medians:"
    )
    for window, loads in results.items():
        print(
            f"window {window:5d} us  "
            f"{statistics.median(x.events / x.seconds for x in loads):8,.0f} events/s  "
            f"{statistics.median(x.events / max(1, x.commits) for x in loads):5.2f} events/commit  "
            f"app {statistics.median(x.app_cpu_s * 1e6 / x.events for x in loads):6.1f} us/event  "
            f"PostgreSQL {statistics.median(x.db_cpu_s * 1e6 / x.events for x in loads):6.1f} "
            "us/event"
        )


if __name__ == "__main__":
    main()
