"""The HTTP/1.1 protocol EventLens serves with: uvicorn's httptools protocol, with two changes.

1. A response's writes leave as one. uvicorn writes a response's status line and headers,
   then its body: two system calls and two TCP segments. For small answers each write costs
   as much as parsing the request, so the writes of one event-loop turn are joined and sent
   when the turn ends (docs/BENCHMARKS.md, "A response's writes leave as one").
2. The ingest endpoints are served by the protocol itself. An ingest request's head and body
   go straight from the parser's callbacks to `Ingest`, and its answer is written from the
   append's callback: no ASGI scope, messages or middleware, and no task per request. Every
   other request, and any ingest request that is not the plain case (a query string, a
   request pipelined behind one still in flight, an upgrade), takes uvicorn's ASGI path to
   the same `Ingest` through `IngestApp`, so both give the same answers.

Each connection also keeps to the deadlines and limits of `connection_guard`, and lingers on
the unread rest of a body it answered early (a 413) within its bounds, so that the client reads
the answer instead of a reset.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, ClassVar

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from eventlens.api.access_log import request_id_of
from eventlens.api.connection_guard import NO_DEADLINE, ConnectionGuard, ConnectionLimits
from eventlens.api.errors import error_json
from eventlens.api.ingest import PATHS, Admitted, Ingest
from eventlens.api.ingest_answers import Answer, Pending, internal_error
from eventlens.api.metrics import count_ingest_internal_error

log = logging.getLogger(__name__)

SERVED_URLS = frozenset(path.encode() for path in PATHS)
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def failed() -> Answer:
    """The answer to an ingest request that raised: logged with its traceback, and counted."""
    log.exception("ingest failed")
    count_ingest_internal_error()
    return internal_error()


class CoalescingTransport:
    """A transport whose writes are joined until the event loop's current turn ends."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self.closes_later: Callable[[], bool] | None = None  # asked by `close`

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(bytes(data))

    def write_now(self, data: bytes) -> None:
        """Send `data` now, after anything written before it."""
        if self._pending:
            self._pending.append(data)
            self.flush()
        elif not self._transport.is_closing():
            self._transport.write(data)

    def writelines(self, chunks: Any) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending = []
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        """Close once what was written is sent, unless `closes_later` says it will."""
        if self.closes_later is not None and self.closes_later():
            self.flush()
            return
        self.close_now()

    def close_now(self) -> None:
        self.flush()  # what was written goes out before the connection closes
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending))

    def __getattr__(self, name: str) -> Any:  # everything else is the real transport's
        return getattr(self._transport, name)


class _Unwaited:
    """uvicorn sets its cycle's message event when the connection is lost; nobody waits here."""

    def set(self) -> None:
        pass


UNWAITED = _Unwaited()


class IngestExchange:
    """One ingest request served by the protocol. It stands where uvicorn keeps its request's
    cycle (`self.cycle`), so uvicorn's connection handling (loss, shutdown, keep-alive and
    pipelining) treats it as one, through these attributes."""

    __slots__ = (
        "admitted",
        "chunks",
        "disconnected",
        "head",
        "keep_alive",
        "request_id",
        "response_complete",
        "size",
    )
    message_event = UNWAITED

    def __init__(self, keep_alive: bool, head: bool, request_id: bytes) -> None:
        self.keep_alive = keep_alive
        self.head = head  # a HEAD request: answered without a body
        self.request_id = request_id  # echoed in the answer's X-Request-ID
        self.response_complete = False
        self.disconnected = False
        self.admitted: Admitted | None = None
        self.chunks: list[bytes] = []
        self.size = 0


class EventLensHttpProtocol(HttpToolsProtocol):
    """Made for one `Ingest` by `serving_ingest`."""

    ingest: ClassVar[Ingest]
    trusted_proxies: ClassVar[Any] = None  # uvicorn's trusted hosts (X-Forwarded-For)
    guard: ClassVar[ConnectionGuard]
    deadline = NO_DEADLINE  # when the current stage (idle, head or body) must have ended
    awaiting_head = False
    reading_body = False  # the parser is within a request's body
    lingering = False  # the request was answered; the rest of its body is read and discarded
    discarded = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        coalescing = CoalescingTransport(transport, self.loop)
        coalescing.closes_later = self._lingers
        super().connection_made(coalescing)  # type: ignore[arg-type]
        self.address = self.client[0] if self.client else None
        self.deadline = self.loop.time() + self.guard.limits.idle_timeout
        refusal = self.guard.admit(self, self.address)
        if refusal is not None:
            self._close_with(*refusal)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.release(self, self.address)
        super().connection_lost(exc)

    def handle_websocket_upgrade(self) -> None:
        # A WebSocket is served by another protocol from here on, with limits of its own.
        self.deadline = NO_DEADLINE
        self.guard.release(self, self.address)
        super().handle_websocket_upgrade()

    def deadline_passed(self) -> None:
        """The connection did not make progress in time: a request whose head is late is
        answered 408; an idle connection, or one whose body is late, is closed."""
        if self.awaiting_head and (self.cycle is None or self.cycle.response_complete):
            self._close_with(408, "the request was not received in time")
        else:
            self.transport.close_now()  # type: ignore[attr-defined]

    def send_400_response(self, msg: str) -> None:
        self.reading_body = False  # a request the parser gave up on is not read further
        super().send_400_response(msg)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._lingers()

    def _lingers(self) -> bool:
        """Whether the current request was answered with its body still arriving: if so,
        the rest is read and discarded, within the linger bounds, before closing."""
        cycle = self.cycle
        if not (self.reading_body and cycle is not None and cycle.response_complete):
            return False
        if not self.lingering:
            self.lingering = True
            self.discarded = 0
            limit = self.loop.time() + self.guard.limits.linger_timeout
            self.deadline = min(self.deadline, limit)
        return True

    def _discard(self, body: bytes) -> None:
        self.discarded += len(body)
        if self.discarded > self.guard.limits.linger_bytes:
            self.transport.close_now()  # type: ignore[attr-defined]

    def _close_with(self, status: int, message: str) -> None:
        body = error_json(status, message)
        self.transport.write(
            b"".join(
                (
                    STATUS_LINE[status],
                    b"content-type: application/json\r\n",
                    b"content-length: %d\r\n" % len(body),
                    b"connection: close\r\n\r\n",
                    body,
                )
            )
        )
        self.transport.close()

    # Parser callbacks: an ingest request's go to `Ingest`, every other's to uvicorn.

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.awaiting_head = True
        self.deadline = self.loop.time() + self.guard.limits.header_timeout

    def on_headers_complete(self) -> None:
        self.awaiting_head = False
        self.reading_body = True
        self.lingering = False
        self.deadline = self.loop.time() + self.guard.limits.body_timeout
        ingest = self.ingest
        if (
            self.url not in SERVED_URLS
            or self.limit_concurrency is not None
            or not (self.cycle is None or self.cycle.response_complete)
            or self.parser.should_upgrade()
        ):
            super().on_headers_complete()
            return
        method = self.parser.get_method().decode("ascii")
        keep_alive = self.parser.get_http_version() != "1.0" and self.parser.should_keep_alive()
        request_id = request_id_of(self.headers).encode("ascii")
        exchange = IngestExchange(keep_alive, method == "HEAD", request_id)
        self.cycle = exchange  # type: ignore[assignment]
        headers = dict(self.headers)
        try:
            admitted = ingest.admit(
                method, self.url.decode("ascii"), headers, self._client(headers)
            )
        except Exception:
            admitted = failed()
        if isinstance(admitted, Answer):
            # Refused by its head: a body that follows is skipped, unless it is too large
            # to be worth reading. A client that waits for a 100 Continue may send no body
            # at all, so its connection cannot be read further either.
            exchange.keep_alive = (
                keep_alive and not self.expect_100_continue and admitted.status != 413
            )
            self._send(exchange, admitted)
            return
        exchange.admitted = admitted
        if self.expect_100_continue:
            self.transport.write(CONTINUE)

    def on_body(self, body: bytes) -> None:
        if self.lingering:
            self._discard(body)
            return
        exchange: object = self.cycle
        if not isinstance(exchange, IngestExchange):
            super().on_body(body)
            return
        if exchange.response_complete:
            return
        assert exchange.admitted is not None
        exchange.size += len(body)
        if exchange.size > exchange.admitted.limit:
            exchange.keep_alive = False  # the rest of an oversized body is not read
            self._send(exchange, self.ingest.too_large(exchange.admitted))
            return
        exchange.chunks.append(body)

    def on_message_complete(self) -> None:
        self.deadline = NO_DEADLINE
        self.reading_body = False
        if self.lingering:
            self.lingering = False
            cycle = self.cycle
            if cycle is not None and not cycle.keep_alive:
                self.transport.close_now()  # type: ignore[attr-defined]
            return
        exchange: object = self.cycle
        if not isinstance(exchange, IngestExchange):
            super().on_message_complete()
            return
        if exchange.response_complete:
            return
        assert exchange.admitted is not None
        body = exchange.chunks[0] if len(exchange.chunks) == 1 else b"".join(exchange.chunks)
        exchange.chunks = []
        try:
            result = self.ingest.take(exchange.admitted, body)
        except Exception:
            result = failed()
        if isinstance(result, Answer):
            self._send(exchange, result)
        else:
            result.appended.add_done_callback(lambda _: self._settle(exchange, result))

    def _settle(self, exchange: IngestExchange, pending: Pending) -> None:
        try:
            answer = pending.answer()
        except Exception:
            answer = failed()
        self._send(exchange, answer)

    def _send(self, exchange: IngestExchange, answer: Answer) -> None:
        exchange.response_complete = True
        transport = self.transport
        if transport.is_closing():  # the client went away while its events were appended
            return
        parts = [STATUS_LINE[answer.status]]
        for name, value in (*self.server_state.default_headers, *answer.headers()):
            parts += (name, b": ", value, b"\r\n")
        parts += (b"x-request-id: ", exchange.request_id, b"\r\n")
        if not exchange.keep_alive:
            parts.append(b"connection: close\r\n")
        parts.append(b"\r\n")
        if not exchange.head:
            parts.append(answer.body)
        # No access log line: at thousands of events a second it would cost more than the
        # ingest itself; /metrics counts every answer by outcome and reason instead.
        transport.write_now(b"".join(parts))  # type: ignore[attr-defined]
        if not exchange.keep_alive:
            transport.close()
        self.on_response_complete()

    def _client(self, headers: dict[bytes, bytes]) -> str:
        """The client's address; a trusted proxy's X-Forwarded-For names it instead."""
        host = self.client[0] if self.client else "unknown"
        trusted = self.trusted_proxies
        if trusted is not None and b"x-forwarded-for" in headers and host in trusted:
            forwarded = b", ".join(v for n, v in self.headers if n == b"x-forwarded-for")
            named, _ = trusted.get_trusted_client_address(forwarded.decode("latin-1"))
            if named:
                host = named
        return str(host)


def serving_ingest(
    ingest: Ingest, forwarded_allow_ips: str | None, limits: ConnectionLimits | None = None
) -> type[EventLensHttpProtocol]:
    """The protocol class that serves `ingest`, trusting X-Forwarded-For from these proxies
    (uvicorn's own rules, as its proxy-headers middleware applies them to the ASGI path),
    within these connection limits. A trusted proxy's connections are not limited per
    address: all the clients behind it share its address."""
    trusted = (
        ProxyHeadersMiddleware(None, forwarded_allow_ips).trusted_hosts  # type: ignore[arg-type]
        if forwarded_allow_ips is not None
        else None
    )
    return type(
        "IngestServingHttpProtocol",
        (EventLensHttpProtocol,),
        {
            "ingest": ingest,
            "trusted_proxies": trusted,
            "guard": ConnectionGuard(limits or ConnectionLimits(), trusted),
        },
    )
