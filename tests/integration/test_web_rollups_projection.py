"""The Stats API's rollups as the events projection keeps them in PostgreSQL: visits per day
and attribute once they are over, whatever the batches; days in each site's zone; page views
and visitors per page; each event counted once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg
import pytest

from eventlens.domain.adaptor import adaptor_id_for
from eventlens.domain.stats_query import Breakdown, Site
from eventlens.domain.stats_query.dates import days
from eventlens.domain.tracking import TrackedEvent
from eventlens.eventstore.port import CATALOG_STREAM, StoredRecord
from eventlens.projections.distinct_count import merged_count
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.projections.web_rollups import roll_up_visits_over
from eventlens.views.web_stats.rollups import rollup_rows
from tests import services
from tests.integration.web_dataset import (
    BERLIN,
    DAYS,
    MOMO,
    SHOP,
    adaptor_created,
    event,
    history,
    records,
)

pytestmark = [pytest.mark.postgres]
LATER = datetime(9999, 1, 1, tzinfo=UTC)
ROLLUPS = ("visit_rollups", "page_rollups", "rollup_sites")


@pytest.fixture
def conn(database_url: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(database_url) as conn:
        yield conn


def project(
    conn: psycopg.Connection,
    *batches: Sequence[TrackedEvent],
    catalog: Sequence[StoredRecord] = (adaptor_created(SHOP), adaptor_created(MOMO)),
    over: bool = True,
) -> None:
    """Project the batches; `over`: every visit is over after each (time moved on)."""
    projection = TrackedEvents()
    with conn.transaction():
        projection.setup(conn)
        projection.apply(conn, projection.prepare(list(catalog)))
    position = 0
    for batch in batches:
        with conn.transaction():
            projection.apply(conn, projection.prepare(records(batch, position)))
            if over:
                roll_up_visits_over(conn, LATER)
        position += len(batch)


def site_rows(conn: psycopg.Connection, dimension: str = "") -> list[tuple[Any, ...]]:
    return conn.execute(
        "SELECT value, day, start_day, visits, bounces, duration_s, visit_pageviews, pageviews, "
        "visitors FROM visit_rollups WHERE dimension = %s ORDER BY container_id, day, value",
        (dimension,),
    ).fetchall()


def snapshot(conn: psycopg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        for table in ROLLUPS
    }


def visit_of(visitor: str, *pages: tuple[int, str, str], **more: Any) -> list[TrackedEvent]:
    return [event(SHOP, day, clock, path, visitor=visitor, **more) for day, clock, path in pages]


def test_a_visit_counts_once_under_its_site_and_each_attribute(conn: psycopg.Connection) -> None:
    events = visit_of("a" * 16, (0, "10:00", "/"), (0, "10:05", "/pricing"), place=BERLIN)

    project(conn, events)

    assert site_rows(conn) == [("", DAYS[0], DAYS[0], 1, 0, 300, 2, 2, 1)]
    assert site_rows(conn, "city") == [("Berlin", DAYS[0], DAYS[0], 1, 0, 300, 2, 2, 1)]
    assert site_rows(conn, "exit_page") == [("/pricing", DAYS[0], DAYS[0], 1, 0, 300, 2, 0, 1)]
    assert site_rows(conn, "utm_source")[0][0] == ""  # none: rolled up as ''


def open_visits(conn: psycopg.Connection) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT visitor_id, pageviews FROM visits WHERE NOT rolled").fetchall()


def test_a_visit_is_rolled_up_once_the_events_recorded_have_moved_past_it(
    conn: psycopg.Connection,
) -> None:
    first = visit_of("a" * 16, (0, "10:00", "/"), (0, "10:05", "/pricing"))
    soon = visit_of("b" * 16, (0, "10:30", "/"))
    later = visit_of("c" * 16, (0, "10:41", "/"))  # past 10:05 by the timeout and margin

    project(conn, first, soon, over=False)
    still_open = (open_visits(conn), site_rows(conn))
    project(conn, later, over=False)

    assert still_open == ([("a" * 16, 2), ("b" * 16, 1)], [])
    assert open_visits(conn) == [("b" * 16, 1), ("c" * 16, 1)]
    assert site_rows(conn) == [("", DAYS[0], DAYS[0], 1, 0, 300, 2, 2, 1)]


def test_an_event_that_joins_a_visit_rolled_up_takes_it_back_out_until_it_is_over(
    conn: psycopg.Connection,
) -> None:
    visit = visit_of("a" * 16, (0, "10:00", "/"), (0, "10:05", "/pricing"))
    sent_late = visit_of("a" * 16, (0, "10:06", "/x"))  # rolled up already when it comes
    later = visit_of("c" * 16, (0, "10:50", "/"))

    project(conn, visit)
    project(conn, sent_late, over=False)
    taken_out = (open_visits(conn), site_rows(conn))
    project(conn, later, over=False)

    assert taken_out == ([("a" * 16, 3)], [])
    assert site_rows(conn) == [("", DAYS[0], DAYS[0], 1, 0, 360, 3, 3, 1)]


@pytest.fixture
def other_url(postgres_server: str) -> Iterator[str]:
    with services.fresh_database(postgres_server) as url:
        yield url


def test_a_visit_spread_over_batches_adds_up_to_what_one_batch_makes(
    conn: psycopg.Connection, other_url: str
) -> None:
    one = visit_of("a" * 16, (0, "10:00", "/"), (0, "10:05", "/pricing"), (0, "10:09", "/x"))

    project(conn, one[:1], one[1:2], one[2:])
    with psycopg.connect(other_url) as other:
        project(other, one)
        together = snapshot(other)

    spread = snapshot(conn)
    exits = [row[0] for row in site_rows(conn, "exit_page")]

    assert spread == together
    assert exits == ["/x"]  # the rows of the exit pages it left are gone


def test_an_event_delivered_again_counts_once(conn: psycopg.Connection) -> None:
    events = visit_of("a" * 16, (0, "10:00", "/"), (0, "10:05", "/pricing"))

    project(conn, events, [events[1], events[0]])

    assert site_rows(conn) == [("", DAYS[0], DAYS[0], 1, 0, 300, 2, 2, 1)]
    pages = conn.execute("SELECT page, pageviews, visitors FROM page_rollups ORDER BY 1")
    assert pages.fetchall() == [("/", 1, 1), ("/pricing", 1, 1)]


def test_days_are_the_sites_and_a_visit_across_midnight_keeps_both(
    conn: psycopg.Connection,
) -> None:
    # 23:55 to 00:05 in Kathmandu (UTC+05:45).
    night = [
        event(MOMO, 1, "18:10", "/", visitor="a" * 16),
        event(MOMO, 1, "18:20", "/menu", visitor="a" * 16),
    ]

    project(conn, night)

    assert site_rows(conn) == [
        ("", DAYS[1], DAYS[1], 0, 0, 0, 0, 1, 0),  # the page view before midnight
        ("", DAYS[2], DAYS[1], 1, 0, 600, 2, 1, 1),
    ]
    pages = conn.execute("SELECT day, page FROM page_rollups ORDER BY 1").fetchall()
    assert pages == [(DAYS[1], "/"), (DAYS[2], "/menu")]
    zones = conn.execute("SELECT container_id, timezone FROM rollup_sites ORDER BY 1").fetchall()
    assert zones == [(MOMO.container_id, "Asia/Kathmandu"), (SHOP.container_id, "UTC")]


def test_a_visit_that_crosses_midnight_between_batches_leaves_its_first_day_emptied(
    conn: psycopg.Connection,
) -> None:
    night = visit_of("f" * 16, (2, "23:50", "/"), (3, "00:10", "/late"))

    project(conn, night[:1], night[1:])

    assert site_rows(conn) == [
        ("", DAYS[2], DAYS[2], 0, 0, 0, 0, 1, 0),
        ("", DAYS[3], DAYS[2], 1, 0, 1200, 2, 1, 1),
    ]
    sketch = conn.execute("SELECT visitor_sketch FROM visit_rollups WHERE day = %s", (DAYS[2],))
    assert {bytes(row[0]) for row in sketch} == {b""}


def zone_changed(site: Site, timezone: str, position: int) -> StoredRecord:
    notification = {
        "originator_id": str(adaptor_id_for(site.container_id)),
        "topic": "eventlens.domain.adaptor:Adaptor.Updated",
        "state": {"timezone": timezone},
    }
    return StoredRecord(CATALOG_STREAM, "catalog", position, orjson.dumps(notification))


def test_a_site_keeps_the_zone_its_events_were_rolled_up_in(conn: psycopg.Connection) -> None:
    unknown = replace(SHOP, container_id="CAP-UNKNOWN")
    catalog = [
        adaptor_created(SHOP),
        adaptor_created(MOMO),
        zone_changed(MOMO, "Europe/Paris", 2),  # before any of its events
    ]

    project(conn, visit_of("a" * 16, (0, "10:00", "/")), catalog=catalog)
    project(
        conn,
        [event(MOMO, 0, "10:00", "/", visitor="b" * 16)],
        [event(unknown, 0, "10:00", "/", visitor="c" * 16)],
        catalog=[zone_changed(SHOP, "Asia/Tokyo", 3)],
    )

    zones = conn.execute("SELECT container_id, timezone FROM rollup_sites ORDER BY 1").fetchall()
    assert zones == [
        (MOMO.container_id, "Europe/Paris"),
        (SHOP.container_id, "UTC"),  # answered from the raw tables until a replay
        (unknown.container_id, "UTC"),  # no adaptor seen: UTC
    ]


def test_pages_count_page_views_and_every_events_visitors_but_engagement(
    conn: psycopg.Connection,
) -> None:
    visitor: dict[str, Any] = {"visitor": "c" * 16}
    events = [
        event(SHOP, 0, "09:00", "/blog", **visitor),
        event(SHOP, 0, "09:01", "/blog", event_type="outbound_click", **visitor),
        event(SHOP, 0, "09:02", "/shop", event_type="signup", **visitor),
        event(SHOP, 0, "09:03", "/shop", event_type="engagement", visitor="d" * 16),
    ]

    project(conn, events)

    rows = conn.execute("SELECT page, pageviews, visitor_sketch FROM page_rollups ORDER BY 1")
    assert [(page, views, merged_count([sketch])) for page, views, sketch in rows] == [
        ("/blog", 1, 1),
        ("/shop", 0, 1),
    ]


def test_a_replay_in_other_batches_rolls_up_the_same_rows(
    conn: psycopg.Connection, other_url: str
) -> None:
    batches = history()

    project(conn, *batches, over=False)  # visits over as the events move on
    roll_up_visits_over(conn, LATER)
    conn.commit()
    with psycopg.connect(other_url) as replaying:
        project(replaying, [event for batch in batches for event in batch], over=False)
        roll_up_visits_over(replaying, LATER)
        replaying.commit()
        replayed = snapshot(replaying)

    live = snapshot(conn)
    assert replayed == live
    assert len(live["visit_rollups"]) > 100


def test_sites_with_events_from_before_the_rollups_are_left_to_the_raw_tables(
    conn: psycopg.Connection, database_url: str
) -> None:
    project(conn, visit_of("a" * 16, (0, "10:00", "/")))
    conn.execute("DROP TABLE visit_rollups, page_rollups, rollup_sites")  # as before them
    conn.commit()

    project(
        conn,
        visit_of("b" * 16, (1, "10:00", "/")),
        [event(MOMO, 1, "11:00", "/", visitor="c" * 16)],
    )

    sites = conn.execute("SELECT container_id, from_first_event FROM rollup_sites ORDER BY 1")
    assert sites.fetchall() == [(MOMO.container_id, True), (SHOP.container_id, False)]
    rolled = conn.execute("SELECT DISTINCT container_id FROM visit_rollups").fetchall()
    assert rolled == [(MOMO.container_id,)]
    assert asyncio.run(rolled_up_rows(database_url, SHOP)) is None
    assert asyncio.run(rolled_up_rows(database_url, MOMO)) == [(1, 1)]  # visitors, rows


async def rolled_up_rows(url: str, site: Site) -> list[tuple[Any, ...]] | None:
    """The site's visitors over the first days, if its rollups answer."""
    asked = Breakdown(("visitors",), (), (), days(DAYS[0], DAYS[1], site.timezone))
    async with await psycopg.AsyncConnection.connect(url) as conn:
        return await rollup_rows(conn, site, asked)
