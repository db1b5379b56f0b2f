"""How tracked and rejected events are written to the store, and read back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from uuid import UUID

import orjson

from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode, TrackedEvent
from eventlens.eventstore.codec import (
    decode_rejected,
    decode_tracked,
    encode_rejected,
    encode_tracked,
)

EVENT = TrackedEvent(
    event_id=UUID("0b0c7e0e-8f69-4a4e-9d6a-7d2c1f1f0001"),
    schema_id="portfolio_events",
    event_type="page_view",
    received_at=datetime(2026, 3, 10, 12, 30, 16, tzinfo=UTC),
    container_id="CAP-ABC123",
    user_id="u1",
    session_id="s1",
    client_timestamp=datetime(2026, 3, 10, 14, 30, 15, 250, tzinfo=timezone(timedelta(hours=2))),
    properties={"page_path": "/about", "n": [1, 2.5, None]},
)


def test_a_tracked_event_is_stored_as_plain_json_with_iso_times_and_a_canonical_id() -> None:
    stored = orjson.loads(encode_tracked(EVENT))
    assert stored["event_id"] == "0b0c7e0e-8f69-4a4e-9d6a-7d2c1f1f0001"
    assert stored["timestamp"] == "2026-03-10T14:30:15.000250+02:00"
    assert stored["received_at"] == "2026-03-10T12:30:16+00:00"
    assert stored["properties"] == {"page_path": "/about", "n": [1, 2.5, None]}


def test_events_read_back_equal_to_what_was_written() -> None:
    assert decode_tracked(encode_tracked(EVENT)) == EVENT
    rejected = RejectedEvent(EVENT, (Reason(RejectionCode.UNKNOWN_SCHEMA, "no such schema"),))
    assert decode_rejected(encode_rejected(rejected)) == rejected
