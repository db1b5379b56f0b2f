"""What the ingest endpoints answer: the status and body for a decision, ready to send."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple
from uuid import UUID

import orjson

from eventlens.api.errors import error_body, error_json
from eventlens.commands.track_events import Decision, Outcome
from eventlens.domain.tracking import Reason, RejectionCode

Header = tuple[bytes, bytes]

# A rejected event's most telling reason decides the status of a single-event ingest.
STATUS_BY_REASON = {
    RejectionCode.ORIGIN_NOT_ALLOWED: 403,
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
    origin: str | None = None  # echoed in access-control-allow-origin, so the page reads it
    extra: tuple[Header, ...] = ()
    content_type: bytes = b"application/json"

    def headers(self) -> list[Header]:
        headers: list[Header] = []
        if self.status != 204:  # a 204 has no body, so neither a type nor a length
            headers += [
                (b"content-type", self.content_type),
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


def told(reasons: Sequence[Reason]) -> list[dict[str, str]]:
    """Reasons as the sender is told them (the rejected-events store keeps the full ones)."""
    return [{"code": reason.code.value, "message": reason.told} for reason in reasons]


def error(status: int, message: str, origin: str | None, **fields: Any) -> Answer:
    return Answer(status, error_json(status, message, **fields), origin)


def one_answer(decision: Decision, origin: str | None) -> Answer:
    [outcome] = decision.outcomes
    if outcome.reasons:
        first = outcome.reasons[0]
        status = STATUS_BY_REASON.get(first.code, 422)
        message = "; ".join(r.told for r in outcome.reasons)
        return error(
            status,
            f"event rejected: {message}",
            origin,
            code="origin_not_allowed"
            if first.code is RejectionCode.ORIGIN_NOT_ALLOWED
            else "event_rejected",
            details=told(outcome.reasons),
            event_id=str(outcome.event_id),
            recorded_as_rejected=True,
        )
    return Answer(
        202, orjson.dumps({"status": "accepted", "event_id": str(outcome.event_id)}), origin
    )


def plausible_answer(decision: Decision, origin: str | None) -> Answer:
    """Plausible's answer: `202 ok` once recorded (a bot's event too, as Plausible drops them
    with a 202); an event kept as rejected gets the reason, as the seed's ingest gives it."""
    for outcome in decision.outcomes:
        if outcome.reasons and outcome.reasons[0].code is not RejectionCode.BOT:
            return one_answer(Decision([], [], [outcome]), origin)
    return Answer(202, b"ok", origin, content_type=b"text/plain; charset=utf-8")


def batch_answer(
    results: list[dict[str, Any] | None],
    positions: list[int],
    outcomes: list[Outcome],
    origin: str | None,
) -> Answer:
    for index, outcome in zip(positions, outcomes, strict=True):
        status = "rejected" if outcome.reasons else "accepted"
        results[index] = item(index, status, outcome.event_id, told(outcome.reasons))
    done = [r for r in results if r is not None]
    statuses = [r["status"] for r in done]
    counts = {s: statuses.count(s) for s in ("accepted", "rejected", "invalid")}
    # The shape of `BatchResult` (documented in the OpenAPI document), written directly:
    # building a model per event cost more than validating the event.
    result: dict[str, Any] = {**counts, "results": done}
    if counts["accepted"]:
        return Answer(202, orjson.dumps(result), origin)
    # Nothing accepted is an error, in the one error shape, with the results alongside.
    message = (
        "the batch holds no events"
        if not done
        else "no event in the batch was accepted: "
        + ", ".join(f"{counts[s]} {s}" for s in ("rejected", "invalid") if counts[s])
    )
    body = error_body(422, message, code="nothing_accepted")
    return Answer(422, orjson.dumps({**body, **result}), origin)


def item(
    index: int, status: str, event_id: UUID | None, reasons: list[dict[str, str]]
) -> dict[str, Any]:
    return {"index": index, "status": status, "event_id": event_id, "reasons": reasons}


def too_many(client: str, wait: float, origin: str | None) -> Answer:
    return Answer(
        429,
        error_json(429, f"too many events from {client}; slow down"),
        origin,
        ((b"retry-after", str(max(1, math.ceil(wait))).encode()),),
    )


def unavailable(message: str, origin: str | None) -> Answer:
    return Answer(503, error_json(503, message), origin, ((b"retry-after", b"1"),))


def internal_error() -> Answer:
    return Answer(500, error_json(500, "internal error"))
