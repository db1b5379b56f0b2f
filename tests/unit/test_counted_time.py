"""Server time is the truth for stats: an event counts when the server received it, unless
its sender's timestamp is within minutes of that (a page's queue, a retry) or an admin
imported it; the sender's timestamp is kept either way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import orjson

from eventlens.domain.tracking import CLIENT_CLOCK_WINDOW, TrackedEvent, counted_time
from eventlens.eventstore.codec import encode_tracked, tracked_from_dict
from eventlens.projections.event_rows import EventRow

RECEIVED = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def event(client: datetime | None, *, imported: bool = False) -> TrackedEvent:
    return TrackedEvent(
        uuid4(), "shop", "page_view", RECEIVED, client_timestamp=client, imported=imported
    )


def test_a_senders_time_counts_within_the_window_of_the_servers() -> None:
    queued = RECEIVED - CLIENT_CLOCK_WINDOW

    assert counted_time(queued, RECEIVED, imported=False) == queued
    assert counted_time(None, RECEIVED, imported=False) == RECEIVED


def test_a_senders_time_beyond_the_window_counts_as_when_the_server_received_it() -> None:
    for client in (datetime(2020, 1, 1, tzinfo=UTC), datetime(8990, 1, 1, tzinfo=UTC)):
        assert counted_time(client, RECEIVED, imported=False) == RECEIVED
    assert counted_time(RECEIVED + timedelta(minutes=6), RECEIVED, imported=False) == RECEIVED


def test_an_imported_event_counts_at_its_own_time() -> None:
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)

    assert event(long_ago, imported=True).occurred_at == long_ago
    assert event(long_ago).occurred_at == RECEIVED


def test_the_projection_counts_a_backdated_event_when_it_arrived_and_keeps_its_timestamp() -> None:
    backdated = event(datetime(2020, 1, 1, tzinfo=UTC))

    row = EventRow.from_payload(encode_tracked(backdated))

    assert row.occurred_at == RECEIVED.isoformat()
    assert row.metadata["client_timestamp"] == "2020-01-01T00:00:00+00:00"


def test_events_recorded_before_imports_existed_count_at_their_own_time() -> None:
    data = orjson.loads(encode_tracked(event(datetime(2020, 1, 1, tzinfo=UTC))))
    del data["imported"]  # as the store holds them

    row = EventRow.from_payload(orjson.dumps(data))

    assert row.occurred_at == "2020-01-01T00:00:00+00:00"
    assert tracked_from_dict(data).imported
