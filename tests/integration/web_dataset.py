"""A known web-analytics history for the rollup tests: two sites (one in UTC, one in
Kathmandu), visitors on several days with the same id, identified visitors, bounces, custom
and engagement events, a visit across midnight in each site's zone, a referrer longer than an
index entry, and later visits in the next week and month. Projected by the real events
projection, in batches that split some visits between them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import orjson
import psycopg

from eventlens.domain.adaptor import adaptor_id_for
from eventlens.domain.stats_query import Site
from eventlens.domain.tracking import TrackedEvent
from eventlens.domain.visitors import ClientContext, Location, PageContext
from eventlens.eventstore.codec import encode_tracked
from eventlens.eventstore.port import CATALOG_STREAM, TRACKED_STREAM, StoredRecord
from eventlens.projections.tracked_events import TrackedEvents

SHOP = Site("CAP-SHOP01", "shop", "UTC")
MOMO = Site("CAP-MOMO01", "shop", "Asia/Kathmandu")
D1 = date(2026, 11, 2)  # a Monday
DAYS = [D1 + timedelta(days=n) for n in range(40)]
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
LONDON = Location("GB", "England", "London")
MOUNTAIN_VIEW = Location("US", "California", "Mountain View")
TALLINN = Location("EE", "Harjumaa", "Tallinn")
BERLIN = Location("DE", "Berlin", "Berlin")
LONG_REFERRER = "https://forum.example/thread?" + "q=x&" * 1000


def event(
    site: Site,
    day: int,
    clock: str,
    path: str,
    *,
    visitor: str | None,
    agent: str = CHROME_MAC,
    place: Location | None = None,
    event_type: str = "page_view",
    referrer: str | None = None,
    user: str | None = None,
    session: str | None = None,
    **properties: Any,
) -> TrackedEvent:
    at = datetime.combine(DAYS[day], datetime.strptime(clock, "%H:%M").time(), UTC)
    host = "momo.example" if site is MOMO else "shop.example"
    return TrackedEvent(
        event_id=uuid4(),
        schema_id=site.schema_id,
        event_type=event_type,
        received_at=at,
        container_id=site.container_id,
        user_id=user,
        session_id=session,
        client_timestamp=at,
        properties=properties,
        client=ClientContext(visitor, agent, place),
        page=PageContext(f"https://{host}{path}", referrer, 1440),
    )


def history() -> list[list[TrackedEvent]]:
    """The events in the batches they are recorded in."""
    a: dict[str, Any] = {"visitor": "a" * 16, "place": LONDON}
    b: dict[str, Any] = {"visitor": "b" * 16, "agent": SAFARI_IPHONE, "place": MOUNTAIN_VIEW}
    c: dict[str, Any] = {"visitor": "c" * 16, "agent": FIREFOX_WINDOWS, "place": TALLINN}
    d: dict[str, Any] = {"visitor": "d" * 16, "place": BERLIN}
    f: dict[str, Any] = {"visitor": "f" * 16, "place": BERLIN}
    g: dict[str, Any] = {"visitor": None, "agent": FIREFOX_WINDOWS, "user": "user-g"}
    first = [
        event(SHOP, 0, "10:00", "/", referrer="https://www.google.com/", **a),
        event(SHOP, 0, "10:05", "/pricing", **a),
        event(SHOP, 0, "12:00", "/?utm_source=newsletter&utm_medium=email", **b),
        event(SHOP, 0, "15:00", "/docs", session="g-1", **g),
        event(SHOP, 1, "09:00", "/blog/post-2", referrer="https://www.google.com/", **c),
        event(SHOP, 1, "12:00", "/pricing", referrer="https://news.ycombinator.com/item", **b),
    ]
    second = [
        event(SHOP, 0, "10:06", "/pricing", event_type="signup", plan="pro", **a),
        event(SHOP, 0, "10:07", "/pricing", event_type="engagement", engaged_ms=60000, **a),
        event(SHOP, 1, "09:03", "/blog/post-2", event_type="outbound_click", **c),
        event(SHOP, 1, "09:05", "/pricing", **c),
        event(SHOP, 1, "12:02", "/blog/post-1", **b),
        event(SHOP, 1, "16:00", "/docs", session="g-2", **g),
        event(SHOP, 1, "16:04", "/docs/api", session="g-2", **g),
        event(SHOP, 1, "20:00", "/", referrer=LONG_REFERRER, visitor="e" * 16, agent=CHROME_MAC),
        event(SHOP, 2, "08:00", "/", **d),
        event(SHOP, 2, "08:10", "/about", **d),
        event(SHOP, 2, "08:50", "/pricing", **d),
        event(SHOP, 2, "10:00", "/blog/post-1", **a),
        event(SHOP, 2, "14:00", "/pricing?utm_source=google&utm_medium=cpc", visitor="9" * 16),
        event(SHOP, 2, "23:50", "/", **f),
        event(SHOP, 3, "00:10", "/late", **f),
        # Kathmandu: 23:55 to 00:05 there.
        event(MOMO, 1, "18:10", "/", **a),
        event(MOMO, 1, "18:20", "/menu", **a),
    ]
    later = [
        event(SHOP, 2, "08:51", "/pricing", event_type="engagement", engaged_ms=5000, **d),
        event(SHOP, 7, "11:00", "/", visitor="1" * 16, agent=SAFARI_IPHONE, place=TALLINN),
        event(SHOP, 7, "11:01", "/pricing", visitor="1" * 16, agent=SAFARI_IPHONE, place=TALLINN),
        event(SHOP, 29, "09:00", "/blog/post-1", visitor="2" * 16, place=LONDON),
        event(SHOP, 29, "09:30", "/blog/post-1", visitor="2" * 16, place=LONDON),
    ]
    return [first, second, [second[0], *later]]  # the signup delivered twice


def adaptor_created(site: Site) -> StoredRecord:
    """The catalog's notification of the site's adaptor, as the projection reads it."""
    notification = {
        "originator_id": str(adaptor_id_for(site.container_id)),
        "topic": "eventlens.domain.adaptor:Adaptor.Created",
        "state": {"container_id": site.container_id, "timezone": site.timezone},
    }
    return StoredRecord(CATALOG_STREAM, "catalog", 0, orjson.dumps(notification))


def records(events: Sequence[TrackedEvent], first: int) -> list[StoredRecord]:
    return [
        StoredRecord(TRACKED_STREAM, "log", first + i, encode_tracked(e))
        for i, e in enumerate(events)
    ]


def project(url: str, batches: Sequence[Sequence[TrackedEvent]]) -> None:
    projection = TrackedEvents()
    with psycopg.connect(url) as conn:
        with conn.transaction():
            projection.setup(conn)
        with conn.transaction():
            catalog = [adaptor_created(SHOP), adaptor_created(MOMO)]
            projection.apply(conn, projection.prepare(catalog))
        position = 0
        for batch in batches:
            with conn.transaction():
                projection.apply(conn, projection.prepare(records(batch, position)))
            position += len(batch)
