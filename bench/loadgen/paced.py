"""A paced ingest sender, run as its own process: a steady background load of N events/s.

    python -m bench.loadgen.paced URL --rate 1000 --tag TAG --container CID [--duration S]
        [--count N] [--tracker] [--ledger FILE] [--interval S] [--reconnect-share 0.02]

Event i is due at start + i/rate (an open schedule, not a closed loop): each of the
`--connections` keep-alive connections takes the next due event, waits for its time, sends it
(`POST /api/events/ingest`, the seed snippet's body, an event id starting with TAG) and waits
for the answer. With `--tracker` the requests are the tracker's instead (`bench.loadgen.tracker`:
`POST /api/events/batch`, several pages, event types and User-Agents). It stops after
`--duration` seconds, `--count` events or on SIGTERM/SIGINT, lets the requests in flight
finish, and prints one line: BENCH_RESULT {json} (sent, acknowledged, errors, achieved rate,
latency percentiles, how late sends were against the schedule).

Latency is given twice: from the send (`p50_ms`, `p99_ms`) and from the time the schedule
wanted the event sent (`*_from_due_ms`), which counts the wait of an event held back by a
slow answer before it (coordinated omission), as wrk2 does.

`--ledger FILE` writes the id of every acknowledged event to FILE and of every event sent but
not acknowledged to FILE.unacknowledged, one a line, so each can be looked for afterwards.
`--interval S` prints BENCH_INTERVAL {json} every S seconds: that interval's acknowledged
events, errors and latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import signal
import time
import uuid
from collections.abc import Coroutine
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlsplit

import orjson

from bench.events import snippet_event
from bench.latency import percentiles
from bench.loadgen.httpclient import Connection, HttpError
from bench.loadgen.tracker import PATH as TRACKER_PATH
from bench.loadgen.tracker import TrackerTraffic

MARKER = "BENCH_RESULT "
INTERVAL_MARKER = "BENCH_INTERVAL "
T = TypeVar("T")
# A browser's User-Agent: a request without one is a bot's, refused rather than recorded.
HEADERS = {
    "Content-Type": "application/json",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
}


def event_body(
    tag: str, schema_id: str, container_id: str, stamp: str, rng: random.Random
) -> bytes:
    """The seed snippet's body (as the wrk script sends it): 20,000 visitors."""
    event_id = tag + str(uuid.UUID(int=rng.getrandbits(128), version=4))[8:]
    return orjson.dumps(
        snippet_event(container_id, event_id, schema_id, stamp, rng.randint(1, 20000))
    )


class Pacer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        path = urlsplit(args.url).path
        self.base = args.url[: -len(path)] if path else args.url
        self.path = TRACKER_PATH if args.tracker else path
        self.tracker = TrackerTraffic(args.container) if args.tracker else None
        self.ledger = open(args.ledger, "w") if args.ledger else None  # noqa: SIM115
        self.unacknowledged = open(args.ledger + ".unacknowledged", "w") if args.ledger else None  # noqa: SIM115
        self.due_ms: list[float] = []  # latency from the time the schedule wanted the send
        self.window: list[float] = []  # latencies (from due) of the current interval
        self.window_errors = 0
        self.stop = asyncio.Event()
        self.next_index = 0
        self.sent = self.acknowledged = 0
        self.errors: dict[str, int] = {}
        self.latencies_ms: list[float] = []
        self.late_ms: list[float] = []
        self.rng = random.Random()

    def _stamp(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    async def connection_loop(self, started: float) -> None:
        conn = Connection(self.base)
        try:
            while not self.stop.is_set():
                index = self.next_index
                if self.args.count and index >= self.args.count:
                    self.stop.set()  # every event handed out: the others finish theirs
                    break
                self.next_index += 1
                due = started + index / self.args.rate
                wait = due - time.monotonic()
                if wait > 0:
                    try:
                        await asyncio.wait_for(self.stop.wait(), wait)
                        break  # stopped while waiting: this event is never sent
                    except TimeoutError:
                        pass
                body, headers, event_id = self._next()
                if self.rng.random() < self.args.reconnect_share:
                    await conn.close()  # a new visitor's connection: TCP set-up paid again
                sent_at = time.monotonic()
                self.late_ms.append(max(0.0, sent_at - due) * 1000)
                self.sent += 1
                try:
                    status, answer = await conn.request("POST", self.path, body, headers)
                except HttpError as error:
                    self._failed(event_id, str(error)[:80])
                    continue
                answered = time.monotonic()
                self.latencies_ms.append((answered - sent_at) * 1000)
                from_due = (answered - min(due, sent_at)) * 1000
                self.due_ms.append(from_due)
                self.window.append(from_due)
                if 200 <= status < 300:
                    self.acknowledged += 1
                    if self.ledger is not None:
                        self.ledger.write(event_id + "\n")
                else:
                    self._failed(
                        event_id, f"status {status}: {answer[:120].decode(errors='replace')}"
                    )
        finally:
            await conn.close()

    def _next(self) -> tuple[bytes, dict[str, str], str]:
        """The next request's body and headers, and its event's id."""
        if self.tracker is not None:
            return self.tracker.request(self.args.tag)
        body = event_body(
            self.args.tag, self.args.schema, self.args.container, self._stamp(), self.rng
        )
        return body, HEADERS, orjson.loads(body)["event_id"]

    def _failed(self, event_id: str, why: str) -> None:
        self.errors[why] = self.errors.get(why, 0) + 1
        self.window_errors += 1
        if self.unacknowledged is not None:
            self.unacknowledged.write(event_id + "\n")

    async def report_intervals(self, seconds: float) -> None:
        """Every `seconds`, one BENCH_INTERVAL line for the interval just ended."""
        started = time.monotonic()
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), seconds)
            window, self.window = self.window, []
            errors, self.window_errors = self.window_errors, 0
            lat = percentiles(window, (50, 99))
            line = {
                "t_s": round(time.monotonic() - started, 1),
                "answered": len(window),
                "errors": errors,
                "p50_ms": round(lat[50], 2) if window else None,
                "p99_ms": round(lat[99], 2) if window else None,
            }
            print(INTERVAL_MARKER + json.dumps(line), flush=True)

    async def run(self) -> dict[str, object]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self.stop.set)
        if self.args.duration:
            loop.call_later(self.args.duration, self.stop.set)
        started = time.monotonic() + 0.05
        tasks = [
            asyncio.create_task(self.connection_loop(started)) for _ in range(self.args.connections)
        ]
        if self.args.interval:
            tasks.append(asyncio.create_task(self.report_intervals(self.args.interval)))
        await self.stop.wait()
        stopped = time.monotonic()
        await asyncio.gather(*tasks)
        for file in (self.ledger, self.unacknowledged):
            if file is not None:
                file.close()
        elapsed = max(stopped - started, 1e-6)
        lat = percentiles(self.latencies_ms, (50, 99))
        late = percentiles(self.late_ms, (50, 99))
        due = percentiles(self.due_ms, (50, 99, 99.9))
        return {
            "tag": self.args.tag,
            "rate_wanted": self.args.rate,
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "errors": self.errors,
            "duration_s": round(elapsed, 3),
            "rate_achieved": round(self.acknowledged / elapsed, 1),
            "p50_ms": round(lat[50], 2),
            "p99_ms": round(lat[99], 2),
            "p50_from_due_ms": round(due[50], 2),
            "p99_from_due_ms": round(due[99], 2),
            "p999_from_due_ms": round(due[99.9], 2),
            "late_p50_ms": round(late[50], 2),
            "late_p99_ms": round(late[99], 2),
        }


def run(coroutine: Coroutine[object, object, T]) -> T:
    """Run on uvloop when it is installed (as uvicorn uses it), else on asyncio's loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help="the ingest URL (loopback)")
    parser.add_argument("--rate", type=float, default=1000.0, help="events per second")
    parser.add_argument("--duration", type=float, default=0.0, help="seconds (0: until SIGTERM)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--tag", required=True, help="8 hex digits: first 32 bits of event ids")
    parser.add_argument("--container", required=True, help="the adaptor's container id")
    parser.add_argument("--schema", default="portfolio_events")
    parser.add_argument("--count", type=int, default=0, help="stop after this many events")
    parser.add_argument("--tracker", action="store_true", help="the tracker's requests")
    parser.add_argument("--ledger", help="write acknowledged event ids to this file")
    parser.add_argument("--interval", type=float, default=0.0, help="seconds per interval line")
    parser.add_argument(
        "--reconnect-share", type=float, default=0.0, help="share of requests on a new connection"
    )
    args = parser.parse_args()
    result = run(Pacer(args).run())
    print(MARKER + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
