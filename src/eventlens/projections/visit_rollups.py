"""`visit_rollups`: each site's visits summed per day and per value of each visit attribute,
so that the Stats API's top graph and unfiltered breakdowns add up a few rows per day instead
of scanning `visits` and `event_logs`.

A row holds the visits that *ended* on `day` and started on `start_day` (days in the site's
time zone, `rollup_sites`): their count, bounces, whole seconds and page views (for views per
visit), and a sketch of their visitors. Almost every visit starts and ends on one day; the
two days keep a visit across midnight exact both ways the API counts visits: the visits
active in a range, bucketed by their last day, and the visits with an event on each day.
`pageviews` are the page views made *on* `day` by visits that started on `start_day`, so
page views by day split a visit across midnight as `event_logs` does.

Visits grow batch by batch (page views, bounce, duration and exit page change), so a batch
takes each visit's old contribution out and puts its new one in (`changes`). A visitor added
to a sketch cannot be taken out: a visit that moves to another row (across midnight between
two batches) leaves its visitor in the row it was in unless that row empties. Exit pages
change with almost every page view, so their rows keep no visitors at all.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import cache, lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from eventlens.domain.timezones import DEFAULT_TIMEZONE
from eventlens.projections.distinct_count import hash64
from eventlens.projections.visit_rows import ENTRY_COLUMNS

DDL = """
CREATE TABLE IF NOT EXISTS visit_rollups (
    container_id     text NOT NULL,
    dimension        text NOT NULL,
    day              date NOT NULL,
    value            text NOT NULL,
    start_day        date NOT NULL,
    visits           bigint NOT NULL,
    bounces          bigint NOT NULL,
    duration_s       bigint NOT NULL,
    visit_pageviews  bigint NOT NULL,
    pageviews        bigint NOT NULL,
    visitors         bigint NOT NULL,
    visitor_sketch   bytea NOT NULL
) WITH (fillfactor = 70);
-- Keyed by a hash of the value: a path or a referrer may be longer than an index entry.
CREATE UNIQUE INDEX IF NOT EXISTS visit_rollups_key
    ON visit_rollups (container_id, dimension, day, start_day, (md5(value)::uuid));
"""
SITE = ""  # the dimension (and value) of a site's totals
EXIT_PAGE = "exit_page"
# The visit attributes rolled up: `visits`' columns, named as they are there.
DIMENSIONS = (SITE, *ENTRY_COLUMNS, "entry_page", EXIT_PAGE)
ATTRIBUTES = DIMENSIONS[1:]

# The columns of `visits` a batch reads back, before and after merging its part.
STATE_COLUMNS = (
    "container_id",
    "visit_id",
    "visitor_id",
    "started_at",
    "ended_at",
    "pageviews",
    "interactive",
    *ENTRY_COLUMNS,
    "entry_page",
    EXIT_PAGE,
)
_FIRST_VALUE = 7  # the index of the first attribute in `STATE_COLUMNS`

# (container_id, dimension, day, value, start_day)
Key = tuple[str, str, date, str, date]
COUNTERS = ("visits", "bounces", "duration_s", "visit_pageviews", "pageviews")
Counts = tuple[int, int, int, int]  # a visit's: one, a bounce or not, its seconds, page views
NO_VISITS: Counts = (0, 0, 0, 0)


class VisitState(NamedTuple):
    """A visit as `visits` holds it, read back as `STATE_COLUMNS`."""

    container_id: str
    visit_id: str
    visitor_id: str
    started_at: datetime
    ended_at: datetime
    pageviews: int
    interactive: int
    attributes: tuple[str | None, ...]  # `DIMENSIONS` but the site's own, in that order

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> VisitState:
        return cls(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[_FIRST_VALUE:])

    @property
    def bounced(self) -> bool:
        return self.pageviews <= 1 and self.interactive == 0

    @property
    def duration_s(self) -> int:
        """In whole seconds, as the raw query truncates each end to the second."""
        started = self.started_at.replace(microsecond=0)
        return int((self.ended_at.replace(microsecond=0) - started).total_seconds())


_EPOCH_DAY = date(1970, 1, 1).toordinal()


@cache
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(moment: datetime, zone: str) -> date:
    seconds = math.floor(moment.timestamp())
    if zone == DEFAULT_TIMEZONE:
        return date.fromordinal(_EPOCH_DAY + seconds // 86400)
    return _minute_day(seconds // 60, zone)


@lru_cache(maxsize=1 << 16)
def _minute_day(minute: int, zone: str) -> date:
    """The local day of a minute since the epoch: every zone's offset is whole minutes."""
    return datetime.fromtimestamp(minute * 60, zone_of(zone)).date()


@lru_cache(maxsize=1 << 16)
def minute_day(minute: str, zone: str) -> date:
    """The local day of a UTC minute written `YYYY-MM-DDTHH:MM`."""
    return local_day(datetime.fromisoformat(minute + "+00:00"), zone)


class Changes:
    """What a batch adds to `visit_rollups`: counter deltas and visitors per row."""

    def __init__(self) -> None:
        self.counts: dict[Key, list[int]] = {}
        self.visitors: dict[Key, set[int]] = {}

    def add(self, keys: list[Key], counts: Counts, pageviews: int = 0) -> None:
        """`counts` added to each of a visit's rows (`_keys`: its exit page's last), and
        `pageviews` to each but its exit page's. Once per visit, not per row: this runs for
        every attribute of every visit a batch touches."""
        rows = self.counts
        for key in keys[:-1]:
            _add(rows, key, counts, pageviews)
        if counts != NO_VISITS:
            _add(rows, keys[-1], counts, 0)

    def enter(self, keys: list[Key], counts: Counts, pageviews: int, visitor: int) -> None:
        """`add`, and the visitor added to each of the rows but its exit page's."""
        rows, visitors = self.counts, self.visitors
        for key in keys[:-1]:
            _add(rows, key, counts, pageviews)
            found = visitors.get(key)
            if found is None:
                visitors[key] = {visitor}
            else:
                found.add(visitor)
        _add(rows, keys[-1], counts, 0)

    def records(self) -> list[dict[str, object]]:
        """The rows to upsert, in key order (so that concurrent workers lock them alike)."""
        return [
            {
                "container_id": container,
                "dimension": dimension,
                "day": day,
                "value": value,
                "start_day": start_day,
                "visits": counts[0],
                "bounces": counts[1],
                "duration_s": counts[2],
                "visit_pageviews": counts[3],
                "pageviews": counts[4],
            }
            for (container, dimension, day, value, start_day), counts in sorted(self.counts.items())
        ]


def _add(rows: dict[Key, list[int]], key: Key, counts: Counts, pageviews: int) -> None:
    visits, bounces, duration_s, visit_pageviews = counts
    found = rows.get(key)
    if found is None:
        rows[key] = [visits, bounces, duration_s, visit_pageviews, pageviews]
    else:
        found[0] += visits
        found[1] += bounces
        found[2] += duration_s
        found[3] += visit_pageviews
        found[4] += pageviews


def _keys(state: VisitState, day: date, start_day: date) -> list[Key]:
    """The rows the visit is in: its site's, then one per attribute."""
    container = state.container_id
    return [
        (container, SITE, day, SITE, start_day),
        *[
            (container, dimension, day, value or "", start_day)
            for dimension, value in zip(ATTRIBUTES, state.attributes, strict=True)
        ],
    ]


def _counts(state: VisitState) -> Counts:
    return (1, int(state.bounced), state.duration_s, state.pageviews)


def changes(
    before: Mapping[tuple[str, str], VisitState],
    after: Iterable[VisitState],
    zones: Mapping[str, str],
    page_views: Mapping[tuple[str, str, date], int],
) -> Changes:
    """The batch's changes: each visit in `after` counted anew where it is now and taken out
    of where it was (`before`, absent for a new visit); the visitor added to each row the
    visit entered; and `page_views` ((site, visit, day) -> page views made that day) added to
    the rows of their visit's attributes on that day."""
    found = Changes()
    placed: dict[tuple[str, str], tuple[VisitState, date, date]] = {}
    for state in after:
        visit = (state.container_id, state.visit_id)
        zone = zones[state.container_id]
        start_day, day = local_day(state.started_at, zone), local_day(state.ended_at, zone)
        placed[visit] = (state, start_day, day)
        keys = _keys(state, day, start_day)
        counts = _counts(state)
        views = page_views.get((*visit, day), 0)
        old = before.get(visit)
        if old is None:
            found.enter(keys, counts, views, hash64(state.visitor_id))
            continue
        old_start, old_day = local_day(old.started_at, zone), local_day(old.ended_at, zone)
        taken: Counts = (-1, -int(old.bounced), -old.duration_s, -old.pageviews)
        grown = (0, counts[1] + taken[1], counts[2] + taken[2], counts[3] + taken[3])
        if (old_start, old_day, old.attributes) == (start_day, day, state.attributes):
            if grown != NO_VISITS or views:
                found.add(keys, grown, views)
            continue
        # Moved: to another day (across midnight), or to another exit or entry page.
        moved = found.counts
        visitor = hash64(state.visitor_id)
        for index, (key, old_key) in enumerate(
            zip(keys, _keys(old, old_day, old_start), strict=True)
        ):
            exit_page = index == len(keys) - 1
            if key == old_key:
                _add(moved, key, grown, 0 if exit_page else views)
                continue
            _add(moved, old_key, taken, 0)
            _add(moved, key, counts, 0 if exit_page else views)
            if not exit_page:
                found.visitors.setdefault(key, set()).add(visitor)
    for (container, visit_id, day), views in page_views.items():
        state, start_day, last_day = placed[(container, visit_id)]
        if day != last_day:
            found.add(_keys(state, day, start_day), NO_VISITS, views)
    return found


def page_views_by_day(
    views: Counter[tuple[str, str, str]], zones: Mapping[str, str]
) -> Counter[tuple[str, str, date]]:
    """(site, visit, UTC minute) -> page views, as (site, visit, local day) -> page views."""
    found: Counter[tuple[str, str, date]] = Counter()
    for (container, visit, minute), n in views.items():
        found[(container, visit, minute_day(minute, zones[container]))] += n
    return found
