"""Turning stored payloads into `event_logs` rows and rollup increments."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import orjson
import pytest

from eventlens.projections.distinct_count import hash64
from eventlens.projections.event_rows import (
    COUNT_FIELDS,
    DIMENSION_MAX,
    EventRow,
    Increments,
    as_records,
)


def payload(**overrides: object) -> bytes:
    event: dict[str, object] = {
        "event_id": "0b0c7e0e-8f69-4a4e-9d6a-7d2c1f1f0001",
        "schema_id": "portfolio_events",
        "container_id": "CAP-ABC123",
        "event_type": "page_view",
        "user_id": "u1",
        "session_id": "s1",
        "timestamp": "2026-03-10T12:30:15.250000+00:00",
        "received_at": "2026-03-10T12:30:16+00:00",
        "properties": {"page_path": "/about"},
        "metadata": {},
    }
    event.update(overrides)
    return orjson.dumps(event)


def test_rows_are_formatted_for_copy_with_nulls_and_escapes() -> None:
    row = EventRow.from_payload(
        payload(timestamp=None, user_id=None, session_id="tab\there", properties=None)
    )
    fields = row.copy_line().removesuffix("\n").split("\t")
    assert fields[0] == "0b0c7e0e-8f69-4a4e-9d6a-7d2c1f1f0001"
    assert fields[4] == "\\N"  # no user id: NULL
    assert fields[5] == "tab\\there"  # a tab inside a value is escaped, not a separator
    assert fields[6] == "2026-03-10T12:30:16+00:00"  # no client timestamp: when received
    assert fields[8] == "{}"
    quoted = EventRow.from_payload(payload(properties={"q": 'a "b" \\ c'})).copy_line()
    assert '{"q":"a \\\\"b\\\\" \\\\\\\\ c"}' in quoted  # JSON backslashes doubled


@pytest.mark.parametrize(
    ("timestamp", "minute", "day"),
    [
        ("2026-03-10T12:30:15.250000+00:00", datetime(2026, 3, 10, 12, 30, tzinfo=UTC), 10),
        ("2026-03-10T12:30:15+00:00", datetime(2026, 3, 10, 12, 30, tzinfo=UTC), 10),
        # Offsets are counted in UTC: late evening in Brazil is the next day in UTC.
        ("2026-03-10T23:30:59-03:00", datetime(2026, 3, 11, 2, 30, tzinfo=UTC), 11),
        ("2026-03-10T01:05:00+05:30", datetime(2026, 3, 9, 19, 35, tzinfo=UTC), 9),
    ],
)
def test_events_are_counted_in_their_utc_minute_hour_and_day(
    timestamp: str, minute: datetime, day: int
) -> None:
    increments = Increments.of([EventRow.from_payload(payload(timestamp=timestamp))])
    key = ("portfolio_events", "CAP-ABC123", "page_view")
    assert increments.minutely == {(minute, *key): 1}
    assert increments.hourly == {(minute.replace(minute=0), *key): 1}
    assert increments.daily == {(minute.replace(hour=0, minute=0), *key): 1}
    assert list(increments.visitors) == [(date(2026, 3, day), "portfolio_events", "CAP-ABC123")]


def test_timestamps_beyond_pythons_range_are_counted_at_its_edge() -> None:
    increments = Increments.of(
        [EventRow.from_payload(payload(timestamp="0001-01-01T00:30:00+01:00"))]
    )
    assert [key[0].year for key in increments.daily] == [1]


def test_pages_come_from_page_views_and_links_from_clicks() -> None:
    rows = [
        EventRow.from_payload(payload(properties={"page_path": "/a"})),
        EventRow.from_payload(payload(event_type="button_click", properties={"page_path": "/a"})),
        EventRow.from_payload(payload(event_type="link_click", properties={"href": "/out"})),
        EventRow.from_payload(
            payload(event_type="github_click", properties={"link_text": "GitHub", "href": "/gh"})
        ),
        EventRow.from_payload(payload(event_type="link_click", properties={"link_text": 42})),
        EventRow.from_payload(payload(properties={"page_path": "x" * 600})),
        EventRow.from_payload(payload(properties={})),
    ]
    dimensions = {
        (dimension, value): n
        for (_, _, _, dimension, value), n in Increments.of(rows).dimensions.items()
    }
    assert dimensions == {
        ("page", "/a"): 1,
        ("link", "/out"): 1,
        ("link", "GitHub"): 1,
        ("link", "42"): 1,  # as PostgreSQL's ->> gives a number
        ("page", "x" * DIMENSION_MAX): 1,
    }


def test_sessions_and_users_are_collected_per_day_without_repeats() -> None:
    rows = [
        EventRow.from_payload(payload(session_id="s1", user_id="u1")),
        EventRow.from_payload(payload(session_id="s1", user_id=None)),
        EventRow.from_payload(payload(session_id="s2", user_id="u2", container_id=None)),
    ]
    visitors = Increments.of(rows).visitors
    assert visitors == {
        (date(2026, 3, 10), "portfolio_events", "CAP-ABC123"): ({hash64("s1")}, {hash64("u1")}),
        (date(2026, 3, 10), "portfolio_events", ""): ({hash64("s2")}, {hash64("u2")}),
    }


def test_counts_become_sorted_json_records() -> None:
    increments = Increments.of(
        [
            EventRow.from_payload(payload(event_type="page_view")),
            EventRow.from_payload(payload(event_type="click")),
            EventRow.from_payload(payload(event_type="page_view")),
        ]
    )
    records = orjson.loads(as_records(increments.daily, COUNT_FIELDS))
    assert records == [
        {
            "bucket": "2026-03-10T00:00:00+00:00",
            "schema_id": "portfolio_events",
            "container_id": "CAP-ABC123",
            "event_type": event_type,
            "events": n,
        }
        for event_type, n in (("click", 1), ("page_view", 2))
    ]
    assert as_records(Counter(), COUNT_FIELDS) == "[]"


@pytest.mark.parametrize("user_id", ["alice-7f3c", "tab\there\\and\nnewline", None])
def test_a_sealed_rows_line_gets_its_plaintext_user_id_as_if_made_with_it(
    user_id: str | None,
) -> None:
    from eventlens.projections.personal_rows import _with_user_id

    # given a sealed event's row, whose line holds its subject's pseudonym
    row = EventRow.from_payload(
        payload(user_id=None, subject="s-" + "a" * 32, sealed="bm9uY2U=", metadata={"k": "v"})
    )
    # when its user id is put in the line
    line = _with_user_id(row.copy_line(), user_id)
    # then it is the line the row with that user id makes, escapes included
    assert line == row._replace(user_id=user_id).copy_line()
