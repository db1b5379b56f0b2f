"""A property filter on the master log is answered from its index, not by reading every row
of the range: the events view's filter is the containment the index serves."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest

from eventlens import views
from eventlens.eventstore.codec import encode_tracked
from eventlens.eventstore.port import TRACKED_STREAM, StoredRecord
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.views.property_filters import PROPERTY_FILTER_INDEX
from tests.integration.backends import tracked

pytestmark = [pytest.mark.postgres]

EVENTS = 20_000


@pytest.fixture
def projected(database_url: str) -> str:
    """The events projection's tables with the property index, and events of which one
    has the plan "rare"."""
    projection = TrackedEvents()
    events = [
        tracked(session=f"s{i % 500}", plan="rare" if i == 1234 else f"plan-{i % 7}")
        for i in range(EVENTS)
    ]
    records = [
        StoredRecord(TRACKED_STREAM, "log", i, encode_tracked(e)) for i, e in enumerate(events)
    ]
    with psycopg.connect(database_url) as conn:
        with conn.transaction():
            projection.setup(conn)
            conn.execute(PROPERTY_FILTER_INDEX)  # until the projection's setup creates it
        for start in range(0, EVENTS, 2000):
            with conn.transaction():
                projection.apply(conn, projection.prepare(records[start : start + 2000]))
        conn.execute("ANALYZE event_logs")
        conn.commit()
    return database_url


def property_index_scans(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT coalesce(sum(idx_scan), 0) FROM pg_stat_user_indexes "
        "WHERE indexrelid IN (SELECT inhrelid FROM pg_inherits "
        "WHERE inhparent = 'event_logs_properties'::regclass)"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_property_filter_is_answered_from_the_property_index(projected: str) -> None:
    async def rare_events() -> list[dict[str, object]]:
        async with await psycopg.AsyncConnection.connect(projected, autocommit=True) as conn:
            rows, _ = await views.events(conn, views.EventFilter(properties={"plan": "rare"}), 50)
            await conn.execute("SELECT pg_stat_force_next_flush()")
        return rows

    with psycopg.connect(projected, autocommit=True) as conn:
        before = property_index_scans(conn)
        rows = asyncio.run(rare_events())
        deadline = time.monotonic() + 10
        while property_index_scans(conn) == before and time.monotonic() < deadline:
            conn.execute("SELECT pg_stat_clear_snapshot()")
            time.sleep(0.1)
        after = property_index_scans(conn)

    assert [r["properties"] for r in rows] == [{"plan": "rare"}]
    assert after > before
