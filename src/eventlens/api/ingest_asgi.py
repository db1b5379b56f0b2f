"""The ingest endpoints as an ASGI app, in front of the app that serves everything else."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from eventlens.api.access_log import request_id_of
from eventlens.api.ingest import PATHS, Ingest
from eventlens.api.ingest_answers import Answer, Pending

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def settle(result: Answer | Pending) -> Answer:
    """The answer, once any append it waits for is done."""
    if isinstance(result, Answer):
        return result
    with contextlib.suppress(Exception):  # the answer reports it
        await result.appended
    return result.answer()


class IngestApp:
    def __init__(self, ingest: Ingest, fallback: Any) -> None:
        self.ingest = ingest
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS:
            await self.fallback(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = (b"x-request-id", request_id_of(scope["headers"]).encode("ascii"))
        client = (scope.get("client") or ("unknown", 0))[0]
        admitted = self.ingest.admit(scope["method"], scope["path"], headers, client)
        if isinstance(admitted, Answer):
            await _respond(send, admitted, request_id)
            return
        body = await _read_body(receive, admitted.limit)
        if body is None:
            await _respond(send, self.ingest.too_large(admitted), request_id)
            return
        await _respond(send, await settle(self.ingest.take(admitted, body)), request_id)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it exceeds `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(send: Send, answer: Answer, request_id: tuple[bytes, bytes]) -> None:
    headers = [*answer.headers(), request_id]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
