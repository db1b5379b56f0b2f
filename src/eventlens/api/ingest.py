"""The ingest path as a lean ASGI app: no framework routing on the hottest path.

`POST /api/events/ingest` takes one event, `POST /api/events/batch` many. Bodies may be
`application/json` or `text/plain` (so `navigator.sendBeacon` needs no preflight). The answer
comes only after the events are durably appended. CORS is answered per adaptor.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import orjson

from eventlens.api.errors import error_body, error_json, summarise
from eventlens.api.ingest_models import InvalidEvent, now, parse_event
from eventlens.api.limits import NUL_MESSAGE, has_nul
from eventlens.api.rate_limit import RateLimiter
from eventlens.commands.track_events import Outcome, TrackEvents, track_events
from eventlens.domain.tracking import RejectionCode, TrackedEvent
from eventlens.eventstore.port import StoreUnavailable
from eventlens.runtime import Platform

INGEST_PATH = "/api/events/ingest"
BATCH_PATH = "/api/events/batch"
PATHS = (INGEST_PATH, INGEST_PATH + "/", BATCH_PATH, BATCH_PATH + "/")
JSON_TYPES = (b"application/json", b"text/plain", b"")
EVENT_NOT_OBJECT = "each event must be a JSON object"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

# A rejected event's most telling reason decides the status of a single-event ingest.
STATUS_BY_REASON = {
    RejectionCode.UNKNOWN_SCHEMA: 404,
    RejectionCode.UNKNOWN_ADAPTOR: 404,
    RejectionCode.DISABLED_ADAPTOR: 403,
    RejectionCode.RETIRED_SCHEMA: 410,
}


class BodyTooLarge(Exception):
    pass


class RateLimited(Exception):
    def __init__(self, client: str, wait: float) -> None:
        super().__init__(client, wait)
        self.client = client
        self.wait = wait


class IngestApp:
    def __init__(self, platform: Platform, fallback: Any) -> None:
        self.platform = platform
        self.fallback = fallback
        # A request costs one token per event it carries, so batches cannot evade the limit.
        self.limiter = RateLimiter(platform.settings.ingest_rate_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS:
            await self.fallback(scope, receive, send)
            return
        headers = dict(scope["headers"])
        origin = headers.get(b"origin")
        origin_text = origin.decode("latin-1") if origin else None
        method = scope["method"]
        if method == "OPTIONS":
            await self._preflight(origin_text, send)
            return
        if method != "POST":
            await _respond(
                send,
                405,
                error_json(405, f"{method} is not allowed here; use POST"),
                extra=[(b"allow", b"POST, OPTIONS")],
            )
            return
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type not in JSON_TYPES:
            await _respond(
                send,
                415,
                error_json(415, "send the body as application/json or text/plain"),
                origin=origin_text,
            )
            return
        single = scope["path"].rstrip("/") == INGEST_PATH
        client = (scope.get("client") or ("unknown", 0))[0]
        # Checked before the body is read, so a client over its limit costs no parsing. A
        # single event pays its token here; a batch pays one per event once they are counted.
        wait = self.limiter.allow(client, 1 if single else 0)
        if wait:
            await _too_many(send, RateLimited(client, wait), origin_text)
            return
        settings = self.platform.settings
        limit = settings.max_body_bytes if single else settings.max_batch_body_bytes
        try:
            body = await _read_body(receive, limit, headers)
        except BodyTooLarge:
            await _respond(
                send,
                413,
                error_json(413, f"request body exceeds {limit} bytes"),
                origin=origin_text,
            )
            return
        if has_nul(body):
            await _respond(send, 422, error_json(422, NUL_MESSAGE), origin=origin_text)
            return
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            await _respond(
                send,
                400,
                error_json(400, f"request body is not valid JSON: {error}"),
                origin=origin_text,
            )
            return
        try:
            if single:
                status, payload, allowed = await self._one(data, origin_text)
            else:
                status, payload, allowed = await self._many(data, origin_text, client)
        except RateLimited as limited:
            await _too_many(send, limited, origin_text)
            return
        except StoreUnavailable as error:
            await _respond(
                send,
                503,
                error_json(503, str(error)),
                origin=origin_text,
                extra=[(b"retry-after", b"1")],
            )
            return
        await _respond(send, status, payload, origin=origin_text if allowed else None)

    async def _one(self, data: Any, origin: str | None) -> tuple[int, bytes, bool]:
        if not isinstance(data, dict):
            return 422, error_json(422, "the body must be a JSON object (one event)"), True
        try:
            event = parse_event(data, now())
        except InvalidEvent as error:
            return 422, error_json(422, summarise(error.details), details=error.details), True
        [outcome] = await self._track([event], origin)
        if outcome.refused:
            return 403, error_json(403, outcome.refused, code="origin_not_allowed"), False
        if outcome.reasons:
            first = outcome.reasons[0]
            status = STATUS_BY_REASON.get(first.code, 422)
            message = "; ".join(r.message for r in outcome.reasons)
            return (
                status,
                error_json(
                    status,
                    f"event rejected: {message}",
                    code="event_rejected",
                    details=[{"code": r.code.value, "message": r.message} for r in outcome.reasons],
                    event_id=str(outcome.event_id),
                    recorded_as_rejected=True,
                ),
                True,
            )
        return 202, orjson.dumps({"status": "accepted", "event_id": str(outcome.event_id)}), True

    async def _many(self, data: Any, origin: str | None, client: str) -> tuple[int, bytes, bool]:
        items = data.get("events") if isinstance(data, dict) else data
        if not isinstance(items, list):
            return (
                422,
                error_json(
                    422,
                    'the body must be {"events": [...]} or a JSON array of events',
                    field="events",
                ),
                True,
            )
        limit = self.platform.settings.max_batch_events
        if len(items) > limit:
            return (
                413,
                error_json(413, f"a batch may hold at most {limit} events", field="events"),
                True,
            )
        wait = self.limiter.allow(client, max(1, len(items)))
        if wait:
            raise RateLimited(client, wait)
        received_at = now()
        results: list[dict[str, Any] | None] = [None] * len(items)
        events: list[TrackedEvent] = []
        positions: list[int] = []
        for index, item in enumerate(items):
            try:
                if not isinstance(item, dict):
                    raise InvalidEvent([{"field": "(event)", "message": EVENT_NOT_OBJECT}])
                events.append(parse_event(item, received_at))
                positions.append(index)
            except InvalidEvent as error:
                reasons = [
                    {"code": "invalid", "message": f"{d['field']}: {d['message']}"}
                    for d in error.details
                ]
                results[index] = _item(index, "invalid", None, reasons)
        outcomes = await self._track(events, origin) if events else []
        for index, outcome in zip(positions, outcomes, strict=True):
            results[index] = _batch_item(index, outcome)
        done = [r for r in results if r is not None]
        statuses = [r["status"] for r in done]
        counts = {s: statuses.count(s) for s in ("accepted", "rejected", "invalid", "refused")}
        # The shape of `BatchResult` (documented in the OpenAPI document), written directly:
        # building a model per event cost more than validating the event.
        result: dict[str, Any] = {**counts, "results": done}
        allowed = counts["refused"] < len(done) or not done
        if counts["accepted"]:
            return 202, orjson.dumps(result), allowed
        # Nothing accepted is an error, in the one error shape, with the results alongside.
        message = (
            "the batch holds no events"
            if not done
            else "no event in the batch was accepted: "
            + ", ".join(f"{counts[s]} {s}" for s in ("rejected", "invalid", "refused") if counts[s])
        )
        body = error_body(422, message, code="nothing_accepted")
        return 422, orjson.dumps({**body, **result}), allowed

    async def _track(self, events: list[TrackedEvent], origin: str | None) -> list[Outcome]:
        decision = await track_events(
            TrackEvents(events, origin), self.platform.cache, self.platform.store
        )
        counters = self.platform.serving.counters
        for outcome, count in (
            ("accepted", len(decision.accepted)),
            ("rejected", len(decision.rejected)),
            ("refused", decision.refused),
        ):
            if count:
                counters.add(outcome, count)
        return decision.outcomes

    async def _preflight(self, origin: str | None, send: Send) -> None:
        if origin is None or not self._origin_known(origin):
            await _respond(
                send,
                403,
                error_json(
                    403,
                    f"origin {origin!r} is not allowed by any active adaptor",
                    code="origin_not_allowed",
                ),
            )
            return
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-allow-methods", b"POST, OPTIONS"),
                    (b"access-control-allow-headers", b"content-type"),
                    (b"access-control-max-age", b"600"),
                    (b"vary", b"Origin"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _origin_known(self, origin: str) -> bool:
        return any(a.active and a.accepts_origin(origin) for a in self.platform.cache.adaptors())


def _item(
    index: int, status: str, event_id: UUID | None, reasons: list[dict[str, str]]
) -> dict[str, Any]:
    return {"index": index, "status": status, "event_id": event_id, "reasons": reasons}


def _batch_item(index: int, outcome: Outcome) -> dict[str, Any]:
    if outcome.refused:
        reasons = [{"code": "origin_not_allowed", "message": outcome.refused}]
        return _item(index, "refused", outcome.event_id, reasons)
    if outcome.reasons:
        reasons = [{"code": r.code.value, "message": r.message} for r in outcome.reasons]
        return _item(index, "rejected", outcome.event_id, reasons)
    return _item(index, "accepted", outcome.event_id, [])


async def _too_many(send: Send, limited: RateLimited, origin: str | None) -> None:
    await _respond(
        send,
        429,
        error_json(429, f"too many events from {limited.client}; slow down"),
        origin=origin,
        extra=[(b"retry-after", str(max(1, math.ceil(limited.wait))).encode())],
    )


async def _read_body(receive: Receive, limit: int, headers: dict[bytes, bytes]) -> bytes:
    declared = headers.get(b"content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    *,
    origin: str | None = None,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if origin is not None:
        headers += [
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"vary", b"Origin"),
        ]
    if extra:
        headers += extra
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
