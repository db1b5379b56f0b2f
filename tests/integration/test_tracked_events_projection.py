"""The tracked-events projection counts every event once, however often it is delivered."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import orjson
import psycopg
import pytest

from eventlens.domain.tracking import TrackedEvent
from eventlens.eventstore.codec import encode_tracked, tracked_to_dict
from eventlens.eventstore.port import TRACKED_STREAM, StoredRecord
from eventlens.projections.distinct_count import merged_count
from eventlens.projections.tracked_events import TrackedEvents
from tests.integration.backends import tracked

pytestmark = [pytest.mark.postgres]


def records(events: Sequence[TrackedEvent]) -> list[StoredRecord]:
    return [StoredRecord(TRACKED_STREAM, "log", i, encode_tracked(e)) for i, e in enumerate(events)]


def apply(conn: psycopg.Connection, projection: TrackedEvents, events: list[TrackedEvent]) -> None:
    with conn.transaction():
        projection.apply(conn, projection.prepare(records(events)))


def test_events_delivered_again_in_a_later_or_the_same_batch_are_counted_once(
    database_url: str,
) -> None:
    first, second, third, fourth = (tracked(session=f"s{i}", page_path=f"/p{i}") for i in range(4))
    projection = TrackedEvents()
    with psycopg.connect(database_url) as conn:
        with conn.transaction():
            projection.setup(conn)
        apply(conn, projection, [first, second])
        # A producer's retry: `first` again, and `third` twice within one batch.
        apply(conn, projection, [first, third, third, fourth])

        def one(query: str) -> object:
            row = conn.execute(query).fetchone()
            assert row is not None
            return row[0]

        assert one("SELECT count(*) FROM event_logs") == 4
        assert one("SELECT count(*) FROM events_portfolio_events") == 4
        for table in ("stats_minutely", "stats_hourly", "stats_daily"):
            assert one(f"SELECT sum(events) FROM {table}") == 4
        assert one("SELECT sum(events) FROM stats_daily_dimensions WHERE dimension = 'page'") == 4
        sessions = [r[0] for r in conn.execute("SELECT sessions FROM stats_daily_uniques")]
        assert merged_count(sessions) == 4


def test_a_batch_is_all_or_nothing_with_its_transaction(database_url: str) -> None:
    projection = TrackedEvents()
    with psycopg.connect(database_url) as conn:
        with conn.transaction():
            projection.setup(conn)
        with pytest.raises(RuntimeError), conn.transaction():
            projection.apply(conn, projection.prepare(records([tracked(), tracked()])))
            raise RuntimeError("the worker failed before saving its positions")
        assert conn.execute("SELECT count(*) FROM event_logs").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM stats_daily").fetchone() == (0,)


@pytest.mark.parametrize(
    "awkward",
    [
        "tab\there",
        "new\nline",
        "carriage\rreturn",
        "back\\slash",
        "a literal \\N",
        "\\N",
        "\\.",
        'all: tab\there\nnew line \\ backslash "quoted" \\N \\. ünï 😀',
    ],
)
def test_values_with_tabs_newlines_backslashes_and_quotes_are_stored_as_sent(
    database_url: str, awkward: str
) -> None:
    event = tracked(session=awkward, page_path=awkward, nested={"list": [awkward, 1.5, None]})
    event = dataclasses.replace(event, user_id=None)  # a NULL beside the awkward values
    projection = TrackedEvents()
    with psycopg.connect(database_url) as conn:
        with conn.transaction():
            projection.setup(conn)
        apply(conn, projection, [event])
        row = conn.execute("SELECT session_id, user_id, properties FROM event_logs").fetchone()
    assert row == (awkward, None, event.properties)


def test_an_event_recorded_with_an_offset_postgresql_refuses_is_stored_in_utc(
    database_url: str,
) -> None:
    # Recorded as an older ingest kept it: the client's own offset, beyond PostgreSQL's 15:59.
    recorded = tracked_to_dict(tracked(session="s-far-east"))
    recorded["timestamp"] = "2024-01-01T10:00:00+18:00"
    del recorded["imported"]  # older than imports: its timestamp counts
    payload = orjson.dumps(recorded)
    projection = TrackedEvents()
    with psycopg.connect(database_url) as conn:
        with conn.transaction():
            projection.setup(conn)
        with conn.transaction():
            record = StoredRecord(TRACKED_STREAM, "log", 0, payload)
            projection.apply(conn, projection.prepare([record]))

        row = conn.execute(
            "SELECT \"timestamp\" AT TIME ZONE 'UTC' FROM event_logs WHERE session_id = %s",
            ("s-far-east",),
        ).fetchone()
    assert row is not None
    assert row[0].isoformat() == "2023-12-31T16:00:00"
