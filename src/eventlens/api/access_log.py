"""Request ids and the access log of the REST API, GraphQL and the dashboard's pages (ingest
writes no line a request: `/metrics` counts it).

Each request gets an id: the client's `X-Request-ID` when it sent a sane one, otherwise a new
one. It is echoed in the answer's `X-Request-ID`, carried by every line logged while the
request is served, and written in its access line with the method, path, status and duration.
The line never names the client's address, nor a shared link's token, nor the user id an
erasure, export or opt-out is about.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from eventlens.logs import current_request_id

log = logging.getLogger("eventlens.access")

SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:+/=@-]{1,128}")
SHARED_LINK_TOKEN = re.compile(r"(/api/shared/)[^/?#\s]+")
# An erasure, export or opt-out names the person: the log keeps only what was done.
PRIVACY_SUBJECT = re.compile(r"(/api/privacy/(?:subjects|opt-outs)/)[^/?#\s]+")


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's `X-Request-ID` if it is sane (short, of URL-safe characters), or a new id."""
    for name, value in headers:
        if name == b"x-request-id" and SANE_REQUEST_ID.fullmatch(value):
            return value.decode("ascii")
    return uuid.uuid4().hex


def logged_path(scope: dict[str, Any]) -> str:
    path = SHARED_LINK_TOKEN.sub(r"\1***", scope.get("path", ""))
    path = PRIVACY_SUBJECT.sub(r"\1***", path)
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


class AccessLog:
    """ASGI middleware: a request id for each HTTP request, and its access line."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope.get("headers", []))
        current_request_id.set(request_id)  # this request's task only
        echoed = (b"x-request-id", request_id.encode("ascii"))
        started = time.perf_counter()
        status = 0

        async def with_request_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), echoed]}
            await send(message)

        try:
            await self.app(scope, receive, with_request_id)
        except Exception:
            status = status or 500  # the server answers it so
            raise
        finally:
            if status and log.isEnabledFor(logging.INFO):
                self._write(scope, status, time.perf_counter() - started, request_id)

    @staticmethod
    def _write(scope: dict[str, Any], status: int, seconds: float, request_id: str) -> None:
        method, path = scope["method"], logged_path(scope)
        duration_ms = round(seconds * 1000, 2)
        log.info(
            '"%s %s HTTP/%s" %d %.2fms %s',
            method,
            path,
            scope.get("http_version", "1.1"),
            status,
            duration_ms,
            request_id,
            extra={
                "method": method,
                "path": path,
                "status": status,
                "duration_ms": duration_ms,
                "request_id": request_id,
            },
        )
