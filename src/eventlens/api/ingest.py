"""The ingest endpoints, apart from how their requests arrive.

`POST /api/events/ingest` takes one event, `POST /api/events/batch` many. Bodies may be
`application/json` or `text/plain` (so `navigator.sendBeacon` needs no preflight). The answer
comes only after the events are durably appended. CORS is answered per adaptor: an accepted
event's origin was allowed by its adaptor; an error names the page's origin only when an active
adaptor allows it, so a page of that site can read why, and no other page can.

`Ingest` decides every answer without awaiting anything: `admit` looks at a request's head,
`take` at its body, and an append that must be waited for comes back as a `Pending` whose
answer is ready once its future is done. Two adapters carry it: the HTTP protocol in
`api/http_protocol.py`, which serves these paths straight from the connection (no ASGI
messages, no task per request), and `api/ingest_asgi.py` for every other way in.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import orjson

from eventlens.api import metrics
from eventlens.api.errors import error_json, summarise
from eventlens.api.ingest_answers import (
    PREFLIGHT_HEADERS,
    Answer,
    Pending,
    batch_answer,
    error,
    item,
    one_answer,
    plausible_answer,
    too_many,
    unavailable,
)
from eventlens.api.ingest_models import InvalidEvent, now, parse_event
from eventlens.api.limits import NUL_MESSAGE, has_nul
from eventlens.api.plausible_events import PATH as PLAUSIBLE_PATH
from eventlens.api.plausible_events import adaptor_hosts, plausible_events
from eventlens.api.rate_limit import RateLimiter
from eventlens.commands.track_events import (
    CatalogLookup,
    Decision,
    TrackEvents,
    track_events,
    track_events_now,
)
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.tracking import TrackedEvent
from eventlens.domain.visitors import Requester
from eventlens.eventstore.port import EventStore, StoreUnavailable

INGEST_PATH = "/api/events/ingest"
BATCH_PATH = "/api/events/batch"
PATHS = (INGEST_PATH, INGEST_PATH + "/", BATCH_PATH, BATCH_PATH + "/", PLAUSIBLE_PATH)
JSON_TYPES = (b"application/json", b"text/plain", b"")
EVENT_NOT_OBJECT = "each event must be a JSON object"
MAX_USER_AGENT = 1000  # characters kept of a User-Agent: real ones are a few hundred


class IngestCatalog(CatalogLookup, Protocol):
    """The catalog as ingest sees it: lookups for judging, and every adaptor for CORS."""

    def adaptors(self) -> list[Adaptor]: ...


class VisitorLookup(Protocol):
    """Who a request's client is, as its events record it (never its address)."""

    def requester(self, address: str, user_agent: str | None, day: date) -> Requester: ...


@dataclass(frozen=True, slots=True)
class IngestLimits:
    max_body_bytes: int = 65536
    max_batch_body_bytes: int = 4 << 20
    max_batch_events: int = 1000
    rate_limit: float = 200.0  # events per second per client; 0: no limit


@dataclass(frozen=True, slots=True)
class Admitted:
    """A request whose head passed: its body, up to `limit` bytes, is to be read."""

    single: bool
    origin: str | None
    client: str  # the address: an input to the visitor hash and the geo lookup, never kept
    limit: int
    user_agent: str | None = None
    plausible: bool = False  # Plausible's Events API: its body, its answers


class Ingest:
    """Made with its limits when the app is built; serves once `serve` gives it the catalog
    and the store, which exist only after the platform has started."""

    catalog: IngestCatalog
    store: EventStore
    visitors: VisitorLookup | None = None

    def __init__(self, limits: IngestLimits) -> None:
        self.limits = limits
        # A request costs one token per event it carries, so batches cannot evade the limit.
        self.limiter = RateLimiter(limits.rate_limit)

    def serve(
        self, catalog: IngestCatalog, store: EventStore, visitors: VisitorLookup | None = None
    ) -> Ingest:
        """`visitors` gives each event its client (visitor id, User-Agent, place); without
        it, events are recorded without one, and no bot is told apart."""
        self.catalog = catalog
        self.store = store
        self.visitors = visitors
        return self

    def admit(
        self, method: str, path: str, headers: Mapping[bytes, bytes], client: str
    ) -> Admitted | Answer:
        """Judge a request by its head: an `Answer` refuses it before its body is read."""
        admitted = self._admit(method, path, headers, client)
        return self._cors_checked(admitted) if isinstance(admitted, Answer) else admitted

    def _admit(
        self, method: str, path: str, headers: Mapping[bytes, bytes], client: str
    ) -> Admitted | Answer:
        origin = headers.get(b"origin")
        origin_text = origin.decode("latin-1") if origin is not None else None
        if method == "OPTIONS":
            return self._preflight(origin_text)
        if method != "POST":
            metrics.count_refused("method_not_allowed")
            return Answer(
                405,
                error_json(405, f"{method} is not allowed here; use POST"),
                extra=((b"allow", b"POST, OPTIONS"),),
            )
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type not in JSON_TYPES:
            metrics.count_refused("unsupported_media_type")
            return error(415, "send the body as application/json or text/plain", origin_text)
        plausible = path == PLAUSIBLE_PATH
        single = plausible or path.rstrip("/") == INGEST_PATH
        # Checked before the body is read, so a client over its limit costs no parsing. A
        # single event pays its token here; a batch pays one per event once they are counted.
        wait = self.limiter.allow(client, 1 if single else 0)
        if wait:
            metrics.count_refused("rate_limited")
            return too_many(client, wait, origin_text)
        limits = self.limits
        limit = limits.max_body_bytes if single else limits.max_batch_body_bytes
        agent = headers.get(b"user-agent")
        user_agent = agent.decode("latin-1")[:MAX_USER_AGENT] if agent else None
        admitted = Admitted(single, origin_text, client, limit, user_agent, plausible)
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return self.too_large(admitted)
        return admitted

    def too_large(self, admitted: Admitted) -> Answer:
        metrics.count_refused("too_large")
        message = f"request body exceeds {admitted.limit} bytes"
        return self._cors_checked(error(413, message, admitted.origin))

    def take(self, admitted: Admitted, body: bytes) -> Answer | Pending:
        """Judge the body and append what it holds; the answer, or how to wait for it."""
        taken = self._take(admitted, body)
        return self._cors_checked(taken) if isinstance(taken, Answer) else taken

    def _take(self, admitted: Admitted, body: bytes) -> Answer | Pending:
        origin = admitted.origin
        if has_nul(body):
            return self._invalid(error(422, NUL_MESSAGE, origin))
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as problem:
            return self._invalid(error(400, f"request body is not valid JSON: {problem}", origin))
        if admitted.plausible:
            return self._plausible(data, admitted)
        if admitted.single:
            return self._one(data, admitted)
        return self._many(data, admitted)

    def _invalid(self, answer: Answer) -> Answer:
        metrics.count_refused("invalid_body")
        return answer

    def _one(self, data: Any, admitted: Admitted) -> Answer | Pending:
        origin = admitted.origin
        if not isinstance(data, dict):
            return self._invalid(error(422, "the body must be a JSON object (one event)", origin))
        received_at = now()
        try:
            event = parse_event(data, received_at)
        except InvalidEvent as problem:
            metrics.count_invalid()
            return error(422, summarise(problem.details), origin, details=problem.details)
        return self._track(
            [event],
            admitted,
            received_at.date(),
            lambda decision: one_answer(decision, origin),
            metrics.observe_ingest,
        )

    def _plausible(self, data: Any, admitted: Admitted) -> Answer | Pending:
        origin = admitted.origin
        received_at = now()
        hosts = adaptor_hosts(self.catalog.adaptors())
        try:
            events = plausible_events(data, received_at, hosts.get)
        except InvalidEvent as problem:
            metrics.count_invalid()
            return error(400, summarise(problem.details), origin, details=problem.details)
        return self._track(
            events,
            admitted,
            received_at.date(),
            lambda decision: plausible_answer(decision, origin),
            metrics.observe_ingest,
        )

    def _many(self, data: Any, admitted: Admitted) -> Answer | Pending:
        origin, client = admitted.origin, admitted.client
        items = data.get("events") if isinstance(data, dict) else data
        if not isinstance(items, list):
            message = 'the body must be {"events": [...]} or a JSON array of events'
            return self._invalid(error(422, message, origin, field="events"))
        most = self.limits.max_batch_events
        if len(items) > most:
            metrics.count_refused("too_large")
            return error(413, f"a batch may hold at most {most} events", origin, field="events")
        wait = self.limiter.allow(client, max(1, len(items)))
        if wait:
            metrics.count_refused("rate_limited")
            return too_many(client, wait, origin)
        received_at = now()
        results, events, positions = parse_batch(items, received_at)
        if len(events) < len(items):
            metrics.count_invalid(len(items) - len(events))
        if not events:
            return batch_answer(results, positions, [], origin)
        return self._track(
            events,
            admitted,
            received_at.date(),
            lambda decision: batch_answer(results, positions, decision.outcomes, origin),
            metrics.observe_batch,
        )

    def _track(
        self,
        events: list[TrackedEvent],
        admitted: Admitted,
        day: date,
        answer: Callable[[Decision], Answer],
        observe: Callable[[float], None],
    ) -> Answer | Pending:
        started = time.perf_counter()
        origin = admitted.origin
        visitors = self.visitors
        requester = (
            visitors.requester(admitted.client, admitted.user_agent, day)
            if visitors is not None
            else None
        )
        command = TrackEvents(events, origin, requester)

        def answered(decided: Callable[[], Decision]) -> Answer:
            result = self._cors_checked(self._answer(origin, answer, decided))
            observe(time.perf_counter() - started)
            return result

        now_or_later = track_events_now(command, self.catalog, self.store)
        if now_or_later is None:  # the catalog must catch up first: the rare, awaited way
            task = asyncio.ensure_future(track_events(command, self.catalog, self.store))
            return Pending(task, lambda: answered(task.result))
        decision, appended = now_or_later
        if appended is None:  # nothing to append: an empty decision
            return answered(lambda: decision)
        return Pending(appended, lambda: answered(lambda: _appended(appended, decision)))

    def _answer(
        self,
        origin: str | None,
        answer: Callable[[Decision], Answer],
        decided: Callable[[], Decision],
    ) -> Answer:
        try:
            decision = decided()
        except StoreUnavailable as problem:
            metrics.count_refused("store_unavailable")
            return unavailable(str(problem), origin)
        if decision.accepted:
            metrics.count_accepted(len(decision.accepted))
        if decision.rejected:
            metrics.count_rejected(len(decision.rejected))
            metrics.count_reasons(
                [r.code.value for event in decision.rejected for r in event.reasons]
            )
        return answer(decision)

    def _preflight(self, origin: str | None) -> Answer:
        if origin is None or not self._origin_known(origin):
            # No CORS headers: the browser then refuses to send the event at all.
            message = f"origin {origin!r} is not allowed by any active adaptor"
            return error(403, message, None, code="origin_not_allowed")
        return Answer(204, b"", origin, PREFLIGHT_HEADERS)

    def _cors_checked(self, answer: Answer) -> Answer:
        """An error answer without the page's origin, unless an active adaptor allows it."""
        if answer.status < 400 or answer.origin is None or self._origin_known(answer.origin):
            return answer
        return answer._replace(origin=None)

    def _origin_known(self, origin: str) -> bool:
        return any(a.active and a.accepts_origin(origin) for a in self.catalog.adaptors())


def parse_batch(
    items: list[Any], received_at: datetime
) -> tuple[list[dict[str, Any] | None], list[TrackedEvent], list[int]]:
    """A batch's events parsed: each invalid one's result (None for the others), the valid
    events, and their indexes in the batch."""
    results: list[dict[str, Any] | None] = [None] * len(items)
    events: list[TrackedEvent] = []
    positions: list[int] = []
    for index, entry in enumerate(items):
        try:
            if not isinstance(entry, dict):
                raise InvalidEvent([{"field": "(event)", "message": EVENT_NOT_OBJECT}])
            events.append(parse_event(entry, received_at))
            positions.append(index)
        except InvalidEvent as problem:
            reasons = [
                {"code": "invalid", "message": f"{d['field']}: {d['message']}"}
                for d in problem.details
            ]
            results[index] = item(index, "invalid", None, reasons)
    return results, events, positions


def _appended(appended: asyncio.Future[Any], decision: Decision) -> Decision:
    appended.result()  # raises what the append failed with
    return decision
