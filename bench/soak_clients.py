"""The readers of a soak: dashboard users opening pages, and open GraphQL subscriptions.

Run in one asyncio loop on a thread of the harness until `stop` is set:
- `readers` clients, each opening a page (`bench.dashboard.page_visit`, seeded), sending its
  requests one after another on a keep-alive connection, then pausing 1-3 s (a person reading);
- `subscriptions` WebSockets, each with the dashboard's subscriptions of a page open: the
  overview's `liveStats`, the events page's `newEvents`, a site's `currentVisitors`.
Every answer must be 200 without GraphQL errors; a subscription must not end.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect

from bench import dashboard
from bench.loadgen.httpclient import Connection, HttpError

SUBSCRIPTIONS: tuple[tuple[str, Callable[[dashboard.Site], dict[str, Any]]], ...] = (
    (
        "subscription LiveStats($filter: StatsInput) { liveStats(filter: $filter) "
        f"{{ {dashboard.STATS_BREAKDOWN} }} }}",
        lambda site: {"filter": {"days": 1}},
    ),
    (
        "subscription NewEvents($filter: EventFilterInput) { newEvents(filter: $filter) "
        "{ eventId eventType timestamp } }",
        lambda site: {"filter": {}},
    ),
    (
        "subscription LiveCurrentVisitors($siteId: String!) { currentVisitors(siteId: $siteId) }",
        lambda site: {"siteId": site.container_id},
    ),
)


@dataclass
class ReaderLog:
    """Every answer's (monotonic time, page, latency ms); errors and pushes counted."""

    answers: list[tuple[float, str, float]] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    pushes: int = 0
    subscriptions_open: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, why: str) -> None:
        with self.lock:
            self.errors[why[:160]] = self.errors.get(why[:160], 0) + 1


async def _reader(
    base_url: str,
    token: str,
    sites: list[dashboard.Site],
    seed: int,
    stop: asyncio.Event,
    log: ReaderLog,
) -> None:
    rng = random.Random(seed)
    conn = Connection(base_url)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    try:
        while not stop.is_set():
            for request in dashboard.page_visit(rng, sites):
                body = json.dumps(request.body).encode() if request.body is not None else None
                started = time.monotonic()
                try:
                    status, answer = await conn.request(request.method, request.path, body, headers)
                except HttpError as error:
                    log.error(f"{request.page}/{request.card}: {error}")
                    continue
                elapsed = (time.monotonic() - started) * 1000
                problem = None if status == 200 else f"status {status}: {answer[:200]!r}"
                if problem is None:
                    problem = dashboard.answer_errors(json.loads(answer))
                if problem is not None:
                    log.error(f"{request.page}/{request.card}: {problem}")
                    continue
                log.answers.append((started, request.page, elapsed))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), rng.uniform(1.0, 3.0))
    finally:
        await conn.close()


async def _subscriber(
    base_url: str,
    token: str,
    site: dashboard.Site,
    index: int,
    stop: asyncio.Event,
    log: ReaderLog,
) -> None:
    query, variables = SUBSCRIPTIONS[index % len(SUBSCRIPTIONS)]
    url = base_url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if ack.get("type") != "connection_ack":
            log.error(f"subscription {index}: not acknowledged: {ack}")
            return
        payload = {"query": query, "variables": variables(site)}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        log.subscriptions_open += 1
        try:
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 1.0)
                except TimeoutError:
                    continue
                message = json.loads(raw)
                if message.get("type") == "ping":
                    await ws.send(json.dumps({"type": "pong"}))
                elif message.get("type") == "next" and not message["payload"].get("errors"):
                    log.pushes += 1
                else:
                    log.error(f"subscription {index} ended: {str(message)[:200]}")
                    return
        finally:
            log.subscriptions_open -= 1
            with contextlib.suppress(Exception):
                await ws.send(json.dumps({"id": "1", "type": "complete"}))


async def _run(
    base_url: str,
    token: str,
    sites: list[dashboard.Site],
    readers: int,
    subscriptions: int,
    stop: threading.Event,
    log: ReaderLog,
) -> None:
    stopping = asyncio.Event()
    tasks = [
        asyncio.create_task(_reader(base_url, token, sites, seed, stopping, log))
        for seed in range(readers)
    ]
    tasks += [
        asyncio.create_task(_subscriber(base_url, token, sites[i % len(sites)], i, stopping, log))
        for i in range(subscriptions)
    ]
    while not stop.is_set():
        await asyncio.sleep(0.2)
    stopping.set()
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, BaseException):
            log.error(f"a reader failed: {outcome!r}")


def start(
    base_url: str,
    token: str,
    sites: list[dashboard.Site],
    readers: int,
    subscriptions: int,
) -> tuple[threading.Thread, threading.Event, ReaderLog]:
    """Start the readers on a thread; set the event to stop them, then join the thread."""
    stop, log = threading.Event(), ReaderLog()
    thread = threading.Thread(
        target=asyncio.run,
        args=(_run(base_url, token, sites, readers, subscriptions, stop, log),),
        name="soak-readers",
        daemon=True,
    )
    thread.start()
    return thread, stop, log


def answers_in(log: ReaderLog, start: float, end: float) -> list[float]:
    """Latencies (ms) of the answers to requests sent in [start, end)."""
    return [ms for at, _page, ms in list(log.answers) if start <= at < end]


def by_page(log: ReaderLog) -> dict[str, list[float]]:
    pages: dict[str, list[float]] = {}
    for _at, page, ms in list(log.answers):
        pages.setdefault(page, []).append(ms)
    return pages


def describe_sites(container_id: str, schema_id: str, types: Any) -> list[dashboard.Site]:
    return [dashboard.Site(container_id, schema_id, tuple(types))]
