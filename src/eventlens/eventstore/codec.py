"""How tracked and rejected events are encoded in the store (JSON, one object each)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson

from eventlens.domain.personal import Sealed
from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode, TrackedEvent
from eventlens.domain.visitors import ClientContext, Location, PageContext


def tracked_to_dict(event: TrackedEvent) -> dict[str, Any]:
    """For orjson, which writes the UUID and the datetimes itself (in C, as `str()` and
    `isoformat()` would). The client and page facts are top-level keys, present only when
    the event has them (events recorded before they existed have none)."""
    data = {
        "event_id": event.event_id,
        "schema_id": event.schema_id,
        "container_id": event.container_id,
        "event_type": event.event_type,
        "user_id": event.user_id,
        "session_id": event.session_id,
        "timestamp": event.client_timestamp,
        "received_at": event.received_at,
        "properties": event.properties,
        "metadata": event.metadata,
        # Events recorded before imports existed have no such key: their timestamps count
        # as they did then (`EventRow.from_payload`).
        "imported": event.imported,
    }
    sealed = event.sealed
    if sealed is not None:  # the subject's pseudonym and its encrypted personal fields
        data["subject"], data["sealed"] = sealed
    client = event.client
    if client is not None:
        data["visitor_id"] = client.visitor_id
        data["user_agent"] = client.user_agent
        location = client.location
        if location is not None:
            data["country"], data["region"], data["city"] = location
    page = event.page
    if page is not None:
        data["url"], data["referrer"], data["screen_width"] = (
            page.url,
            page.referrer,
            page.screen_width,
        )
        if page.automated:
            data["automated"] = True
    return data


def _client(data: dict[str, Any]) -> ClientContext | None:
    if "user_agent" not in data:
        return None
    location = (
        Location(data.get("country"), data.get("region"), data.get("city"))
        if "country" in data
        else None
    )
    return ClientContext(data.get("visitor_id"), data["user_agent"], location)


def _page(data: dict[str, Any]) -> PageContext | None:
    if "url" not in data:
        return None
    return PageContext(
        data["url"], data.get("referrer"), data.get("screen_width"), data.get("automated", False)
    )


def tracked_from_dict(data: dict[str, Any]) -> TrackedEvent:
    timestamp = data.get("timestamp")
    return TrackedEvent(
        event_id=UUID(data["event_id"]),
        schema_id=data["schema_id"],
        container_id=data.get("container_id"),
        event_type=data["event_type"],
        user_id=data.get("user_id"),
        session_id=data.get("session_id"),
        client_timestamp=datetime.fromisoformat(timestamp) if timestamp else None,
        received_at=datetime.fromisoformat(data["received_at"]),
        properties=data.get("properties") or {},
        metadata=data.get("metadata") or {},
        client=_client(data),
        page=_page(data),
        imported=data.get("imported", True),
        sealed=Sealed(data["subject"], data["sealed"]) if "sealed" in data else None,
    )


def encode_tracked(event: TrackedEvent) -> bytes:
    return orjson.dumps(tracked_to_dict(event))


def decode_tracked(payload: bytes) -> TrackedEvent:
    return tracked_from_dict(orjson.loads(payload))


def encode_rejected(rejected: RejectedEvent) -> bytes:
    data = tracked_to_dict(rejected.event)
    data["reasons"] = reason_dicts(rejected.reasons)
    if rejected.origin is not None:
        data["origin"] = rejected.origin
    return orjson.dumps(data)


def decode_rejected(payload: bytes) -> RejectedEvent:
    data = orjson.loads(payload)
    reasons = tuple(
        Reason(RejectionCode(item["code"]), item["message"]) for item in data.pop("reasons")
    )
    return RejectedEvent(tracked_from_dict(data), reasons, data.pop("origin", None))


def reason_dicts(reasons: Sequence[Reason]) -> list[dict[str, str]]:
    """Reasons as they are stored and as the API answers them."""
    return [{"code": reason.code.value, "message": reason.message} for reason in reasons]
