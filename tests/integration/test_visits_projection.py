"""Visits, as the tracked-events projection builds them in PostgreSQL: one row per visit with
its entry, exit, page views, events and bounce, whatever the batches and repeats."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from eventlens.domain.tracking import TrackedEvent
from eventlens.domain.visitors import ClientContext, Location, PageContext
from eventlens.eventstore.codec import encode_tracked
from eventlens.eventstore.port import TRACKED_STREAM, StoredRecord
from eventlens.projections.tracked_events import TrackedEvents

pytestmark = [pytest.mark.postgres]

START = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
BERLIN = Location("DE", "Berlin", "Berlin")


def event(
    minute: int,
    path: str = "/",
    event_type: str = "page_view",
    visitor: str = "aaaaaaaaaaaaaaaa",
    referrer: str | None = None,
    **metadata: Any,
) -> TrackedEvent:
    at = START + timedelta(minutes=minute)
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="shop",
        event_type=event_type,
        received_at=at,
        container_id="CAP-SHOP01",
        client_timestamp=at,
        metadata=metadata,
        client=ClientContext(visitor, PHONE, BERLIN),
        page=PageContext(f"https://shop.example{path}", referrer, 390),
    )


def records(events: Sequence[TrackedEvent], first: int = 0) -> list[StoredRecord]:
    return [
        StoredRecord(TRACKED_STREAM, "log", first + i, encode_tracked(e))
        for i, e in enumerate(events)
    ]


@pytest.fixture
def conn(database_url: str) -> Any:
    with psycopg.connect(database_url) as conn:
        yield conn


def project(
    conn: psycopg.Connection, projection: TrackedEvents, *batches: list[TrackedEvent]
) -> None:
    with conn.transaction():
        projection.setup(conn)
    for batch in batches:
        with conn.transaction():
            projection.apply(conn, projection.prepare(records(batch)))


def visits(conn: psycopg.Connection) -> list[dict[str, Any]]:
    cursor = conn.execute(
        "SELECT visit_id, visitor_id, entry_page, exit_page, pageviews, events, interactive, "
        "ended_at - started_at AS duration, source, channel, device, browser, country, city "
        "FROM visits ORDER BY started_at"
    )
    names = [column.name for column in cursor.description or []]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_a_visit_spread_over_batches_adds_up_to_one_row(conn: psycopg.Connection) -> None:
    landing = event(0, "/", referrer="https://www.google.com/")
    pricing = event(3, "/pricing")
    signup = event(5, "/pricing", "signup")
    leaving = event(9, "/thanks")

    project(conn, TrackedEvents(), [landing, pricing], [signup, leaving])

    [visit] = visits(conn)
    assert visit["visit_id"] == str(landing.event_id)
    assert (visit["entry_page"], visit["exit_page"]) == ("/", "/thanks")
    assert (visit["pageviews"], visit["events"], visit["interactive"]) == (3, 4, 1)
    assert visit["duration"] == timedelta(minutes=9)
    assert (visit["source"], visit["channel"]) == ("Google", "Organic Search")
    assert (visit["device"], visit["browser"], visit["country"], visit["city"]) == (
        "Mobile",
        "Safari",
        "DE",
        "Berlin",
    )
    logged = conn.execute("SELECT DISTINCT visit_id FROM event_logs").fetchall()
    assert logged == [(str(landing.event_id),)]


def test_thirty_minutes_without_an_event_start_a_new_visit(conn: psycopg.Connection) -> None:
    project(conn, TrackedEvents(), [event(0), event(20), event(51, "/back")])

    assert [(v["pageviews"], v["entry_page"]) for v in visits(conn)] == [(2, "/"), (1, "/back")]


def test_the_timeout_is_configurable(conn: psycopg.Connection) -> None:
    project(conn, TrackedEvents(timedelta(minutes=10)), [event(0), event(11)])

    assert len(visits(conn)) == 2


def test_one_page_view_and_nothing_interactive_is_a_bounce(conn: psycopg.Connection) -> None:
    bounced = [event(0, visitor="b" * 16), event(1, event_type="engagement", visitor="b" * 16)]
    passive = [
        event(0, visitor="c" * 16),
        event(1, "/x", "video_played", visitor="c" * 16, interactive=False),
    ]
    engaged = [event(0, visitor="d" * 16), event(1, "/", "signup", visitor="d" * 16)]

    project(conn, TrackedEvents(), bounced + passive + engaged)

    bounces = conn.execute(
        "SELECT visitor_id FROM visits WHERE pageviews <= 1 AND interactive = 0 ORDER BY 1"
    ).fetchall()
    assert bounces == [("b" * 16,), ("c" * 16,)]


def test_an_event_delivered_twice_counts_once(conn: psycopg.Connection) -> None:
    first, second = event(0), event(2, "/b")

    project(conn, TrackedEvents(), [first, second], [second, first])

    [visit] = visits(conn)
    assert (visit["pageviews"], visit["events"], visit["exit_page"]) == (2, 2, "/b")


def test_a_worker_that_starts_again_continues_the_visit(conn: psycopg.Connection) -> None:
    project(conn, TrackedEvents(), [event(0)])
    project(conn, TrackedEvents(), [event(10, "/later")])  # a new worker: state from the table

    [visit] = visits(conn)
    assert (visit["pageviews"], visit["exit_page"]) == (2, "/later")


def test_an_event_repeated_within_a_batch_stays_in_its_first_visit(
    conn: psycopg.Connection,
) -> None:
    first, later = event(0), event(45, "/later")  # 45 minutes apart: two visits

    project(conn, TrackedEvents(), [first, later, first])  # the repeat would join the second

    assert [(v["visit_id"], v["pageviews"]) for v in visits(conn)] == [
        (str(first.event_id), 1),
        (str(later.event_id), 1),
    ]
