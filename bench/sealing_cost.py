"""`python -m bench.sealing_cost`: what sealing personal fields costs an event, in process.

The sealing store (`eventstore/sealing.py`) is put in front of a store that only encodes the
rows as the PostgreSQL store does (so a sealed event's larger payload is counted), with the
subjects' keys in a real PostgreSQL. Each case appends events one request at a time from
`--clients` concurrent clients, each spending `--work-us` of CPU on the event loop before each
request (what the API's request handling costs: it spreads the requests over time as a
server's are, so a key round trip carries the few new user ids that came meanwhile, not
`--clients` of them), under uvloop, and reports this process's CPU an event beyond that work:

- **no personal data**: no user id, a schema without personal properties (the tracker's
  cookieless events);
- **cached subject**: a user id whose key is in memory (a returning user);
- **new subject**: a user id never seen, so its key is made (the benchmark's worst case);
- the same without sealing (`bare`), the baseline each case is compared with.

Then the steps of sealing one event, each timed alone with `time.perf_counter_ns`.
Then the projection's part: writing `event_logs`' lines of a batch of sealed events with
their user ids in plaintext (`plaintext_lines`: the subjects' keys read, each event opened).
`--profile` prints cProfile's top functions of the new-subject case. `--against REV` measures
that revision's code too (each round in a process of its own, the two alternated, on one
PostgreSQL), as `bench.compare` does over HTTP.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import uvloop

from bench.compare import checkout
from bench.core import ROOT, BenchmarkFailure, Profile, RunContext
from bench.services.postgres import postgres_server
from eventlens.domain.personal import SubjectKey, new_key, new_subject, seal, subject_lookup
from eventlens.domain.tracking import RejectedEvent, TrackedEvent
from eventlens.eventstore.codec import encode_rejected, encode_tracked
from eventlens.eventstore.sealing import SealingStore
from eventlens.eventstore.subject_keys import SubjectKeys, open_subject_keys
from eventlens.projections.catalog_cache import PersonalFieldIndex
from eventlens.projections.event_rows import EventRow
from eventlens.projections.personal_rows import plaintext_lines


class EncodingStore:
    """Encodes each event as the PostgreSQL store does, and records nothing."""

    def __init__(self) -> None:
        self.bytes = 0

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def append_tracked(self, events: Sequence[TrackedEvent]) -> asyncio.Future[None]:
        for event in events:
            self.bytes += len(encode_tracked(event))
        return _done()

    def append_rejected(self, events: Sequence[RejectedEvent]) -> asyncio.Future[None]:
        for rejected in events:
            self.bytes += len(encode_rejected(rejected))
        return _done()


def _done() -> asyncio.Future[None]:
    future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    future.set_result(None)
    return future


def event(user_id: str | None, n: int) -> TrackedEvent:
    """The seed snippet's page view, as ingest makes it."""
    now = datetime.now(UTC)
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="portfolio_events",
        event_type="page_view",
        received_at=now,
        container_id="CAP-BENCH",
        user_id=user_id,
        session_id=f"session_1732780000000_{n:09d}",
        client_timestamp=now,
        properties={
            "page_title": "Home",
            "tracked_at": now.isoformat(),
            "page_url": "http://localhost:8080/",
            "page_path": "/",
            "container_id": "CAP-BENCH",
        },
    )


def _busy(seconds: float) -> None:
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


async def _clients(
    store: Any, events: list[TrackedEvent], clients: int, work_s: float
) -> tuple[float, float]:
    """Append `events` one a request from `clients` concurrent clients; (CPU s, wall s),
    without the clients' own work."""
    per_client = [events[i::clients] for i in range(clients)]
    worked = 0.0

    async def client(mine: list[TrackedEvent]) -> None:
        nonlocal worked
        for one in mine:
            if work_s:
                started = time.process_time()
                _busy(work_s)
                worked += time.process_time() - started
                await asyncio.sleep(0)
            await store.append_tracked([one])

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(mine) for mine in per_client))
    return time.process_time() - cpu - worked, time.perf_counter() - wall


async def _cases(
    url: str, events: int, clients: int, work_s: float, profile: bool
) -> dict[str, tuple[float, float]]:
    """Per case: (CPU us an event, payload bytes an event)."""
    keys = open_subject_keys(url, durable_with_events=True)
    inner = EncodingStore()
    sealing = SealingStore(inner, keys, PersonalFieldIndex())
    run = os.urandom(4).hex()
    returning = [f"user-{run}-returning-{n}" for n in range(2000)]
    await keys.load(returning)
    loads: dict[str, tuple[Any, Callable[[int], TrackedEvent]]] = {
        "bare, no user id": (inner, lambda n: event(None, n)),
        "no personal data": (sealing, lambda n: event(None, n)),
        "bare, with a user id": (inner, lambda n: event(returning[n % 2000], n)),
        "cached subject": (sealing, lambda n: event(returning[n % 2000], n)),
        "new subject": (sealing, lambda n: event(f"user-{run}-new-{n}", n)),
    }
    results: dict[str, tuple[float, float]] = {}
    try:
        for name, (store, make) in loads.items():
            made = [make(n) for n in range(events)]
            inner.bytes = 0
            profiler = cProfile.Profile() if profile and name == "new subject" else None
            if profiler is not None:
                profiler.enable()
            cpu, _ = await _clients(store, made, clients, work_s)
            if profiler is not None:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            results[name] = (cpu * 1e6 / events, inner.bytes / events)
    finally:
        await sealing.close()
    return results


def _steps(repeat: int) -> dict[str, float]:
    """Nanoseconds a call of each step of sealing, median of 5 runs of `repeat` calls."""
    secret = os.urandom(32)
    key = SubjectKey.of(new_subject(), new_key())
    plain = event("user_1732780000000_000012345", 1)
    fields = {"user_id": plain.user_id}
    sealed = plain.revised(
        user_id=None, sealed=seal(key, plain.event_id, {"user_id": plain.user_id})
    )
    raw = new_key()
    steps: dict[str, Callable[[], object]] = {
        "keyed hash of the user id (lookup)": lambda: subject_lookup(secret, "user_17327_0001"),
        "new pseudonym": new_subject,
        "new key": new_key,
        "AES-GCM cipher from a key": lambda: SubjectKey.of("s-x", raw),
        "seal (nonce, JSON, AES-GCM, base64)": lambda: seal(key, plain.event_id, fields),
        "the event revised": lambda: plain.revised(user_id=None, sealed=sealed.sealed),
        "encode the plain event": lambda: encode_tracked(plain),
        "encode the sealed event": lambda: encode_tracked(sealed),
    }
    out: dict[str, float] = {}
    for name, step in steps.items():
        runs = []
        for _ in range(5):
            started = time.perf_counter_ns()
            for _ in range(repeat):
                step()
            runs.append((time.perf_counter_ns() - started) / repeat)
        out[name] = statistics.median(runs)
    return out


async def _key_round_trips(url: str, sizes: Sequence[int], rounds: int) -> dict[int, float]:
    """CPU us of this process for one `SubjectKeys.load` of `size` new user ids."""
    out: dict[int, float] = {}
    keys: SubjectKeys = open_subject_keys(url, durable_with_events=True)
    try:
        await keys.load(["warm-up"])
        run = os.urandom(4).hex()
        for size in sizes:
            cpu = time.process_time()
            for round_ in range(rounds):
                await keys.load([f"rt-{run}-{size}-{round_}-{n}" for n in range(size)])
            out[size] = (time.process_time() - cpu) * 1e6 / rounds
    finally:
        await keys.close()
    return out


async def _sealed_payloads(url: str, batch: int, subjects: int) -> list[bytes]:
    """A projection batch's payloads: `batch` events of `subjects` users, sealed."""
    keys = open_subject_keys(url, durable_with_events=True)
    inner = _Keeping()
    sealing = SealingStore(inner, keys, PersonalFieldIndex())
    run = os.urandom(4).hex()
    try:
        await sealing.append_tracked([event(f"p-{run}-{n % subjects}", n) for n in range(batch)])
    finally:
        await sealing.close()
    return inner.payloads


class _Keeping(EncodingStore):
    def __init__(self) -> None:
        super().__init__()
        self.payloads: list[bytes] = []

    def append_tracked(self, events: Sequence[TrackedEvent]) -> asyncio.Future[None]:
        self.payloads += [encode_tracked(e) for e in events]
        return _done()


def _projection(url: str, batch: int, subjects: int, rounds: int) -> float:
    """This process's CPU us an event for `plaintext_lines` over a batch of sealed events."""
    payloads = uvloop.run(_sealed_payloads(url, batch, subjects))
    rows = [EventRow.from_payload(p) for p in payloads]
    lines = [row.copy_line() for row in rows]
    runs = []
    with psycopg.connect(url) as conn:
        for _ in range(rounds):
            cpu = time.process_time()
            with conn.transaction():
                plaintext_lines(conn, rows, lines)
            runs.append((time.process_time() - cpu) * 1e6 / batch)
    return statistics.median(runs)


Figures = dict[str, float]  # "case <name>", "bytes <name>", "trip <n>", "projection <n>"
BARE = {
    "no personal data": "bare, no user id",
    "cached subject": "bare, with a user id",
    "new subject": "bare, with a user id",
}
MARKER = "SEALING_RESULT "


def measure(url: str, args: argparse.Namespace, profile: bool = False) -> Figures:
    """One round of every figure, in this process."""
    cases = uvloop.run(_cases(url, args.events, args.clients, args.work_us / 1e6, profile))
    figures = {f"case {name}": cpu for name, (cpu, _) in cases.items()}
    figures |= {f"bytes {name}": size for name, (_, size) in cases.items()}
    trips = uvloop.run(_key_round_trips(url, (1, 16, 64), 100))
    figures |= {f"trip {size}": cpu for size, cpu in trips.items()}
    figures |= {
        f"projection {subjects}": _projection(url, 1000, subjects, 10) for subjects in (1000, 200)
    }
    return figures


def _in_child(url: str, args: argparse.Namespace, src: Path) -> Figures:
    """One round measured by a process that imports EventLens from `src`."""
    command = [sys.executable, "-m", "bench.sealing_cost", "--database", url]
    command += ["--events", str(args.events), "--clients", str(args.clients)]
    command += ["--work-us", str(args.work_us)]
    env = {**os.environ, "PYTHONPATH": f"{src}:{ROOT}"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise BenchmarkFailure(f"measuring with {src} failed:\n{done.stderr[-2000:]}")
    figures: Figures = json.loads(line.removeprefix(MARKER))
    return figures


def _report(args: argparse.Namespace, sides: dict[str, list[Figures]]) -> None:
    print(
        f"\n{args.events:,} events a case, {args.clients} clients, {args.work_us} us of work "
        f"a request (not counted); medians of {args.rounds} rounds, this process's CPU:"
    )

    def median(side: str, figure: str) -> float:
        return statistics.median(f[figure] for f in sides[side])

    names = list(sides)
    header = "".join(f"{name[:14]:>16}" for name in names)
    print(f"  {'':<30}{header}{'  this / that' if len(names) == 2 else ''}")
    for figure in sides[names[0]][0]:
        if figure.startswith("bytes "):
            continue
        kind, _, what = figure.partition(" ")
        label = {
            "case": f"{what} (us an event)",
            "trip": f"round trip, {what} user ids (us)",
            "projection": f"projection, {what} subjects",
        }[kind]
        values = [median(name, figure) for name in names]
        line = f"  {label:<30}" + "".join(f"{value:16.1f}" for value in values)
        if len(names) == 2:
            line += f"  {values[1] / values[0]:.2f}x"
        print(line)
        if kind == "case" and what in BARE:
            extra = [
                v - median(n, f"case {BARE[what]}") for v, n in zip(values, names, strict=True)
            ]
            print(f"  {'  over ' + BARE[what]:<30}" + "".join(f"{e:+16.1f}" for e in extra))
    for name in names:
        sizes = {f: median(name, f) for f in sides[name][0] if f.startswith("bytes ")}
        print(
            f"  payload bytes ({name}): " + ", ".join(f"{k[6:]} {v:.0f}" for k, v in sizes.items())
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sealing_cost", description=__doc__)
    parser.add_argument("--events", type=int, default=20_000, help="events a case")
    parser.add_argument("--clients", type=int, default=64, help="concurrent requests")
    parser.add_argument("--work-us", type=int, default=300, help="CPU a request, before it")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="also a revision's code, alternated")
    parser.add_argument("--profile", action="store_true", help="cProfile the new subjects")
    parser.add_argument("--database", help=argparse.SUPPRESS)  # a child's round
    args = parser.parse_args(argv)
    if args.database:
        print(MARKER + json.dumps(measure(args.database, args)), flush=True)
        return
    with RunContext(Profile.full()) as ctx:
        pg = ctx.service("postgres", postgres_server)
        url = pg.create_database("bench_sealing")
        sides: dict[str, list[Figures]] = {}
        if args.against:
            with checkout(args.against, ctx.scratch("rev") / "tree") as tree:
                order = [(args.against, tree / "src"), ("this checkout", ROOT / "src")]
                for round_ in range(args.rounds):
                    for name, src in order if round_ % 2 == 0 else order[::-1]:
                        sides.setdefault(name, []).append(_in_child(url, args, src))
                        print(f"round {round_ + 1}  {name} measured", flush=True)
        else:
            for round_ in range(args.rounds):
                figures = measure(url, args, args.profile and round_ == 0)
                sides.setdefault("this checkout", []).append(figures)
                print(f"round {round_ + 1} measured", flush=True)
    _report(args, sides)
    print("\nSteps, one call each (median of 5 x 20,000):")
    for name, ns in _steps(20_000).items():
        print(f"  {name:<38} {ns / 1000:6.2f} us")


if __name__ == "__main__":
    main()
