"""The floor: a bare ASGI app (no framework) that reads the JSON body, parses it with orjson
and answers 202, as EventLens answers an accepted event. Nothing is validated or stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from bench.baselines.counting import BATCH_PATH, COUNTS_PATH, INGEST_PATH, count, counts_json

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
JSON = [(b"content-type", b"application/json")]


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [*JSON, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    path, method = scope["path"], scope["method"]
    if method == "GET":
        body = counts_json() if path == COUNTS_PATH else b'{"status":"ok"}'
        await _respond(send, 200, body)
        return
    data = orjson.loads(await _read_body(receive))
    if path == INGEST_PATH:
        count(data["event_id"])
        answer = orjson.dumps({"status": "accepted", "event_id": data["event_id"]})
    elif path == BATCH_PATH:
        for event in data["events"]:
            count(event["event_id"])
        answer = orjson.dumps({"accepted": len(data["events"])})
    else:
        await _respond(send, 404, b'{"detail":"not found"}')
        return
    await _respond(send, 202, answer)
