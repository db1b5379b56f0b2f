"""`page_rollups`: each site's events per day (in its time zone) and page, for the Stats API's
top pages: page views, and a sketch of the visitors with an event on the page that day.

Counted from events alone (as the raw query counts `event:page`: every event but engagement,
by the page it was on, page views among them), so nothing here changes once added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from eventlens.projections.distinct_count import hash64
from eventlens.projections.event_rows import EventRow, utc
from eventlens.projections.visit_rollups import minute_day

DDL = """
CREATE TABLE IF NOT EXISTS page_rollups (
    container_id    text NOT NULL,
    day             date NOT NULL,
    page            text NOT NULL,
    pageviews       bigint NOT NULL,
    visitors        bigint NOT NULL,
    visitor_sketch  bytea NOT NULL
) WITH (fillfactor = 70);
-- Keyed by a hash of the value: a path or a referrer may be longer than an index entry.
CREATE UNIQUE INDEX IF NOT EXISTS page_rollups_key
    ON page_rollups (container_id, day, (md5(page)::uuid));
"""
ENGAGEMENT = "engagement"
PAGE_VIEW = "page_view"
_PATH = 3  # the page's path among `EventRow.enriched`


class Tally:
    """Page views, and the hashes of the visitors seen."""

    __slots__ = ("pageviews", "visitors")

    def __init__(self) -> None:
        self.pageviews = 0
        self.visitors: set[int] = set()


PageMinutes = dict[tuple[str, str, str], Tally]  # (site, UTC minute, page)
PageDays = dict[tuple[str, date, str], Tally]  # (site, local day, page)


def utc_minute(occurred_at: str) -> str:
    """`YYYY-MM-DDTHH:MM` in UTC. Recorded times are UTC already (`...+00:00`): those are
    cut, not parsed."""
    if occurred_at.endswith("+00:00") and occurred_at[10:11] == "T":
        return occurred_at[:16]
    return utc(occurred_at).isoformat(timespec="minutes")[:16]


def page_minutes(rows: Iterable[EventRow]) -> PageMinutes:
    """The rows' page views and visitors per site, UTC minute and page (engagement events,
    and events of no site, left out)."""
    found: PageMinutes = {}
    hashes: dict[str, int] = {}
    for row in rows:
        if row.event_type == ENGAGEMENT or not row.container_id:
            continue
        enriched = row.enriched
        key = (row.container_id, utc_minute(row.occurred_at), enriched[_PATH] or "")
        tally = found.get(key)
        if tally is None:
            tally = found[key] = Tally()
        if row.event_type == PAGE_VIEW:
            tally.pageviews += 1
        visitor = enriched[0] or row.user_id or row.session_id
        if visitor is not None:
            hashed = hashes.get(visitor)
            if hashed is None:
                hashed = hashes[visitor] = hash64(visitor)
            tally.visitors.add(hashed)
    return found


def page_days(minutes: PageMinutes, zones: Mapping[str, str]) -> PageDays:
    """The minutes' counts per day in each site's zone."""
    found: PageDays = {}
    for (container, minute, page), tally in minutes.items():
        key = (container, minute_day(minute, zones[container]), page)
        day = found.get(key)
        if day is None:
            day = found[key] = Tally()
        day.pageviews += tally.pageviews
        day.visitors |= tally.visitors
    return found
