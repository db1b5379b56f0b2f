"""The ingest endpoints, apart from how their requests arrive.

`POST /api/events/ingest` takes one event, `POST /api/events/batch` many. Bodies may be
`application/json` or `text/plain` (so `navigator.sendBeacon` needs no preflight). The answer
comes only after the events are durably appended. CORS is answered per adaptor.

`Ingest` decides every answer without awaiting anything: `admit` looks at a request's head,
`take` at its body, and an append that must be waited for comes back as a `Pending` whose
answer is ready once its future is done. Two adapters carry it: the HTTP protocol in
`api/http_protocol.py`, which serves these paths straight from the connection (no ASGI
messages, no task per request), and `IngestApp`, the ASGI app for every other way in.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

import orjson

from eventlens.api.errors import error_body, error_json, summarise
from eventlens.api.ingest_models import InvalidEvent, now, parse_event
from eventlens.api.limits import NUL_MESSAGE, has_nul
from eventlens.api.rate_limit import RateLimiter
from eventlens.commands.track_events import (
    Decision,
    Outcome,
    TrackEvents,
    track_events,
    track_events_now,
)
from eventlens.domain.tracking import RejectionCode, TrackedEvent
from eventlens.eventstore.port import StoreUnavailable
from eventlens.runtime.platform import Platform

INGEST_PATH = "/api/events/ingest"
BATCH_PATH = "/api/events/batch"
PATHS = (INGEST_PATH, INGEST_PATH + "/", BATCH_PATH, BATCH_PATH + "/")
JSON_TYPES = (b"application/json", b"text/plain", b"")
EVENT_NOT_OBJECT = "each event must be a JSON object"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Header = tuple[bytes, bytes]

# A rejected event's most telling reason decides the status of a single-event ingest.
STATUS_BY_REASON = {
    RejectionCode.UNKNOWN_SCHEMA: 404,
    RejectionCode.UNKNOWN_ADAPTOR: 404,
    RejectionCode.DISABLED_ADAPTOR: 403,
    RejectionCode.RETIRED_SCHEMA: 410,
}
PREFLIGHT_HEADERS = (
    (b"access-control-allow-methods", b"POST, OPTIONS"),
    (b"access-control-allow-headers", b"content-type"),
    (b"access-control-max-age", b"600"),
)


class Answer(NamedTuple):
    status: int
    body: bytes
    origin: str | None = None  # allowed by CORS: echoed in access-control-allow-origin
    extra: tuple[Header, ...] = ()

    def headers(self) -> list[Header]:
        headers: list[Header] = []
        if self.status != 204:  # a 204 has no body, so neither a type nor a length
            headers += [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(self.body)).encode()),
            ]
        if self.origin is not None:
            headers += [
                (b"access-control-allow-origin", self.origin.encode("latin-1")),
                (b"vary", b"Origin"),
            ]
        headers += self.extra
        return headers


class Pending(NamedTuple):
    """An answer that waits for an append: call `answer()` once `appended` is done."""

    appended: asyncio.Future[Any]
    answer: Callable[[], Answer]


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request whose head passed: its body, up to `limit` bytes, is to be read."""

    single: bool
    origin: str | None
    client: str
    limit: int


class Ingest:
    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        # A request costs one token per event it carries, so batches cannot evade the limit.
        self.limiter = RateLimiter(platform.settings.ingest_rate_limit)

    def admit(
        self, method: str, path: str, headers: Mapping[bytes, bytes], client: str
    ) -> Admitted | Answer:
        """Judge a request by its head: an `Answer` refuses it before its body is read."""
        origin = headers.get(b"origin")
        origin_text = origin.decode("latin-1") if origin is not None else None
        if method == "OPTIONS":
            return self._preflight(origin_text)
        if method != "POST":
            return Answer(
                405,
                error_json(405, f"{method} is not allowed here; use POST"),
                extra=((b"allow", b"POST, OPTIONS"),),
            )
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type not in JSON_TYPES:
            return Answer(
                415,
                error_json(415, "send the body as application/json or text/plain"),
                origin_text,
            )
        single = path.rstrip("/") == INGEST_PATH
        # Checked before the body is read, so a client over its limit costs no parsing. A
        # single event pays its token here; a batch pays one per event once they are counted.
        wait = self.limiter.allow(client, 1 if single else 0)
        if wait:
            return _too_many(client, wait, origin_text)
        settings = self.platform.settings
        limit = settings.max_body_bytes if single else settings.max_batch_body_bytes
        admitted = Admitted(single, origin_text, client, limit)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return self.too_large(admitted)
        return admitted

    def too_large(self, admitted: Admitted) -> Answer:
        return Answer(
            413, error_json(413, f"request body exceeds {admitted.limit} bytes"), admitted.origin
        )

    def take(self, admitted: Admitted, body: bytes) -> Answer | Pending:
        """Judge the body and append what it holds; the answer, or how to wait for it."""
        origin = admitted.origin
        if has_nul(body):
            return Answer(422, error_json(422, NUL_MESSAGE), origin)
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as error:
            return Answer(400, error_json(400, f"request body is not valid JSON: {error}"), origin)
        if admitted.single:
            return self._one(data, origin)
        return self._many(data, origin, admitted.client)

    def _one(self, data: Any, origin: str | None) -> Answer | Pending:
        if not isinstance(data, dict):
            return Answer(
                422, error_json(422, "the body must be a JSON object (one event)"), origin
            )
        try:
            event = parse_event(data, now())
        except InvalidEvent as error:
            return Answer(
                422, error_json(422, summarise(error.details), details=error.details), origin
            )
        return self._track([event], origin, lambda decision: _one_answer(decision, origin))

    def _many(self, data: Any, origin: str | None, client: str) -> Answer | Pending:
        items = data.get("events") if isinstance(data, dict) else data
        if not isinstance(items, list):
            return Answer(
                422,
                error_json(
                    422,
                    'the body must be {"events": [...]} or a JSON array of events',
                    field="events",
                ),
                origin,
            )
        limit = self.platform.settings.max_batch_events
        if len(items) > limit:
            return Answer(
                413,
                error_json(413, f"a batch may hold at most {limit} events", field="events"),
                origin,
            )
        wait = self.limiter.allow(client, max(1, len(items)))
        if wait:
            return _too_many(client, wait, origin)
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
        if not events:
            return _batch_answer(results, positions, [], origin)
        return self._track(
            events,
            origin,
            lambda decision: _batch_answer(results, positions, decision.outcomes, origin),
        )

    def _track(
        self,
        events: list[TrackedEvent],
        origin: str | None,
        answer: Callable[[Decision], Answer],
    ) -> Answer | Pending:
        platform = self.platform
        command = TrackEvents(events, origin)
        now_or_later = track_events_now(command, platform.cache, platform.store)
        if now_or_later is None:  # the catalog must catch up first: the rare, awaited way
            task = asyncio.ensure_future(track_events(command, platform.cache, platform.store))
            return Pending(task, lambda: self._answer(origin, answer, task.result))
        decision, appended = now_or_later
        if appended is None:  # nothing to append (every event refused)
            return self._answer(origin, answer, lambda: decision)
        return Pending(
            appended, lambda: self._answer(origin, answer, lambda: _appended(appended, decision))
        )

    def _answer(
        self,
        origin: str | None,
        answer: Callable[[Decision], Answer],
        decided: Callable[[], Decision],
    ) -> Answer:
        try:
            decision = decided()
        except StoreUnavailable as error:
            return Answer(503, error_json(503, str(error)), origin, ((b"retry-after", b"1"),))
        counters = self.platform.serving.counters
        for outcome, count in (
            ("accepted", len(decision.accepted)),
            ("rejected", len(decision.rejected)),
            ("refused", decision.refused),
        ):
            if count:
                counters.add(outcome, count)
        return answer(decision)

    def _preflight(self, origin: str | None) -> Answer:
        if origin is None or not self._origin_known(origin):
            return Answer(
                403,
                error_json(
                    403,
                    f"origin {origin!r} is not allowed by any active adaptor",
                    code="origin_not_allowed",
                ),
            )
        return Answer(204, b"", origin, PREFLIGHT_HEADERS)

    def _origin_known(self, origin: str) -> bool:
        return any(a.active and a.accepts_origin(origin) for a in self.platform.cache.adaptors())


def _appended(appended: asyncio.Future[Any], decision: Decision) -> Decision:
    appended.result()  # raises what the append failed with
    return decision


def _one_answer(decision: Decision, origin: str | None) -> Answer:
    [outcome] = decision.outcomes
    if outcome.refused:
        return Answer(403, error_json(403, outcome.refused, code="origin_not_allowed"))
    if outcome.reasons:
        first = outcome.reasons[0]
        status = STATUS_BY_REASON.get(first.code, 422)
        message = "; ".join(r.message for r in outcome.reasons)
        return Answer(
            status,
            error_json(
                status,
                f"event rejected: {message}",
                code="event_rejected",
                details=[{"code": r.code.value, "message": r.message} for r in outcome.reasons],
                event_id=str(outcome.event_id),
                recorded_as_rejected=True,
            ),
            origin,
        )
    return Answer(
        202, orjson.dumps({"status": "accepted", "event_id": str(outcome.event_id)}), origin
    )


def _batch_answer(
    results: list[dict[str, Any] | None],
    positions: list[int],
    outcomes: list[Outcome],
    origin: str | None,
) -> Answer:
    for index, outcome in zip(positions, outcomes, strict=True):
        results[index] = _batch_item(index, outcome)
    done = [r for r in results if r is not None]
    statuses = [r["status"] for r in done]
    counts = {s: statuses.count(s) for s in ("accepted", "rejected", "invalid", "refused")}
    # The shape of `BatchResult` (documented in the OpenAPI document), written directly:
    # building a model per event cost more than validating the event.
    result: dict[str, Any] = {**counts, "results": done}
    allowed = origin if counts["refused"] < len(done) or not done else None
    if counts["accepted"]:
        return Answer(202, orjson.dumps(result), allowed)
    # Nothing accepted is an error, in the one error shape, with the results alongside.
    message = (
        "the batch holds no events"
        if not done
        else "no event in the batch was accepted: "
        + ", ".join(f"{counts[s]} {s}" for s in ("rejected", "invalid", "refused") if counts[s])
    )
    body = error_body(422, message, code="nothing_accepted")
    return Answer(422, orjson.dumps({**body, **result}), allowed)


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


def _too_many(client: str, wait: float, origin: str | None) -> Answer:
    return Answer(
        429,
        error_json(429, f"too many events from {client}; slow down"),
        origin,
        ((b"retry-after", str(max(1, math.ceil(wait))).encode()),),
    )


def internal_error() -> Answer:
    return Answer(500, error_json(500, "internal error"))


async def settle(result: Answer | Pending) -> Answer:
    """The answer, once any append it waits for is done."""
    if isinstance(result, Answer):
        return result
    with contextlib.suppress(Exception):  # the answer reports it
        await result.appended
    return result.answer()


class IngestApp:
    """The ingest endpoints as an ASGI app in front of `fallback`, which serves the rest."""

    def __init__(self, platform: Platform, fallback: Any) -> None:
        self.ingest = Ingest(platform)
        self.fallback = fallback

    @property
    def platform(self) -> Platform:
        return self.ingest.platform

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] not in PATHS:
            await self.fallback(scope, receive, send)
            return
        headers = dict(scope["headers"])
        client = (scope.get("client") or ("unknown", 0))[0]
        admitted = self.ingest.admit(scope["method"], scope["path"], headers, client)
        if isinstance(admitted, Answer):
            await _respond(send, admitted)
            return
        body = await _read_body(receive, admitted.limit)
        if body is None:
            await _respond(send, self.ingest.too_large(admitted))
            return
        await _respond(send, await settle(self.ingest.take(admitted, body)))


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


async def _respond(send: Send, answer: Answer) -> None:
    await send(
        {"type": "http.response.start", "status": answer.status, "headers": answer.headers()}
    )
    await send({"type": "http.response.body", "body": answer.body})
