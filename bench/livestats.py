"""A GraphQL `liveStats` subscription of the freshness probes, read over graphql-transport-ws:
the first time each total was pushed."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.core import BenchmarkFailure

SUBSCRIPTION = (
    'subscription { liveStats(filter: {hours: 1, schemaId: "freshness_probe"}) { totalEvents } }'
)


class LiveStats:
    """A `liveStats` subscription over graphql-transport-ws: the first time each total was
    pushed."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.first_seen: dict[int, float] = {}
        self.total: int | None = None
        self.pushes = 0
        self.sent = 0  # probes sent so far: no push may count more
        self.changed = asyncio.Condition()

    @classmethod
    async def open(cls, base_url: str, token: str) -> LiveStats:
        url = base_url.replace("http://", "ws://") + "/graphql"
        ws = await connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if ack.get("type") != "connection_ack":
            raise BenchmarkFailure(f"the GraphQL WebSocket was not acknowledged: {ack}")
        await ws.send(
            json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
        )
        return cls(ws)

    async def read(self) -> None:
        async for raw in self.ws:
            arrived = time.monotonic()
            message = json.loads(raw)
            kind = message.get("type")
            if kind == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            if kind != "next":
                raise BenchmarkFailure(f"the subscription ended: {message}")
            payload = message["payload"]
            if payload.get("errors"):
                raise BenchmarkFailure(f"the subscription failed: {payload['errors']}")
            total = int(payload["data"]["liveStats"]["totalEvents"])
            if total > self.sent:
                raise BenchmarkFailure(
                    f"liveStats pushed {total} probe events when {self.sent} had been sent"
                )
            async with self.changed:
                self.pushes += 1
                self.total = total
                self.first_seen.setdefault(total, arrived)
                self.changed.notify_all()

    async def wait_total(self, expected: int, timeout: float) -> float:
        """Wait for a push whose total is at least `expected`; the time it arrived."""
        async with self.changed:
            try:
                await asyncio.wait_for(
                    self.changed.wait_for(
                        lambda: self.total is not None and self.total >= expected
                    ),
                    timeout,
                )
            except TimeoutError:
                raise BenchmarkFailure(
                    f"no push with totalEvents={expected} within {timeout:.0f}s "
                    f"(last pushed: {self.total})"
                ) from None
            return min(at for total, at in self.first_seen.items() if total >= expected)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.ws.send(json.dumps({"id": "1", "type": "complete"}))
        await self.ws.close()


async def first_of(waiting: Any, reader: asyncio.Task[None]) -> float:
    """Await `waiting`, but fail at once if the subscription's reader ended (an error)."""
    task = asyncio.ensure_future(waiting)
    done, _ = await asyncio.wait({task, reader}, return_when=asyncio.FIRST_COMPLETED)
    if task not in done:
        task.cancel()
        reader.result()  # raises the reader's error
        raise BenchmarkFailure("the subscription closed")
    result: float = task.result()
    return result
