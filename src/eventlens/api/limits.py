"""Request-size limit for the REST and GraphQL routes (ingest has its own, tighter ones)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_to_bytes

from eventlens.api.errors import error_json

Scope = dict[str, Any]


class BodyLimit:
    """Reads a request body up to `limit` bytes, answering 413 beyond it; replays it after."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and has_nul(unquote_to_bytes(scope.get("query_string", b""))):
            await _answer(send, 400, NUL_MESSAGE)
            return
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if has_nul(body):
            await _answer(send, 422, NUL_MESSAGE)
            return
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            message: dict[str, Any] = await receive()
            return message

        await self.app(scope, replay, send)

    async def _too_large(self, send: Any) -> None:
        await _answer(send, 413, f"request body exceeds {self.limit} bytes")


NUL_MESSAGE = "text may not contain NUL characters (\\u0000)"


def has_nul(raw: bytes) -> bool:
    """NUL cannot be stored in PostgreSQL text or jsonb: refuse it at the door (JSON escapes
    it as \\u0000; a query string as %00) rather than let it fail a write later."""
    return b"\\u0000" in raw or b"\x00" in raw


async def _answer(send: Any, status: int, message: str) -> None:
    body = error_json(status, message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
