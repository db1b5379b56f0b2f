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

A visit is rolled up once it is over (`visits.py`: no event can join it any more), so its
rows are written once, not each time it grows; the visits still open are read from `visits`
by the queries (`views/web_stats/rollups.py`). An event that joins a visit already rolled up
(sent late) takes the visit's contribution back out, and the visit is rolled up again once it
is over. A visitor added to a sketch cannot be taken out: it stays in the row it was in
unless that row empties.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, NamedTuple

from eventlens.projections.distinct_count import hash64
from eventlens.projections.local_days import local_day
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
    "last_day_pageviews",
    *ENTRY_COLUMNS,
    "entry_page",
    EXIT_PAGE,
)
_FIRST_VALUE = 8  # the index of the first attribute in `STATE_COLUMNS`

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
    last_day_pageviews: int  # made on its last day (in the site's zone): the rest on its first
    attributes: tuple[str | None, ...]  # `DIMENSIONS` but the site's own, in that order

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> VisitState:
        return cls._make((*row[:_FIRST_VALUE], row[_FIRST_VALUE:]))

    @property
    def bounced(self) -> bool:
        return self.pageviews <= 1 and self.interactive == 0

    @property
    def duration_s(self) -> int:
        """In whole seconds, as the raw query truncates each end to the second."""
        started = self.started_at.replace(microsecond=0)
        return int((self.ended_at.replace(microsecond=0) - started).total_seconds())


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
        """`add`, and the visitor added to each of the rows."""
        rows, visitors = self.counts, self.visitors
        for key in keys[:-1]:
            _add(rows, key, counts, pageviews)
        _add(rows, keys[-1], counts, 0)
        for key in keys:
            found = visitors.get(key)
            if found is None:
                visitors[key] = {visitor}
            else:
                found.add(visitor)

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
    added: Iterable[VisitState], removed: Iterable[VisitState], zones: Mapping[str, str]
) -> Changes:
    """What rolling up the visits `added` and taking out the visits `removed` (as they were
    rolled up) change: each visit's counts in its rows of its last day, with the page views
    made that day; the page views made before it in its rows of its first day; its visitor
    in each row it is added to."""
    found = Changes()
    for state in added:
        zone = zones[state.container_id]
        start_day, day = local_day(state.started_at, zone), local_day(state.ended_at, zone)
        on_last_day = _on_last_day(state, start_day, day)
        found.enter(
            _keys(state, day, start_day), _counts(state), on_last_day, hash64(state.visitor_id)
        )
        if start_day != day and state.pageviews > on_last_day:
            found.add(_keys(state, start_day, start_day), NO_VISITS, state.pageviews - on_last_day)
    for state in removed:
        zone = zones[state.container_id]
        start_day, day = local_day(state.started_at, zone), local_day(state.ended_at, zone)
        on_last_day = _on_last_day(state, start_day, day)
        taken: Counts = (-1, -int(state.bounced), -state.duration_s, -state.pageviews)
        found.add(_keys(state, day, start_day), taken, -on_last_day)
        if start_day != day and state.pageviews > on_last_day:
            found.add(_keys(state, start_day, start_day), NO_VISITS, on_last_day - state.pageviews)
    return found


def _on_last_day(state: VisitState, start_day: date, day: date) -> int:
    if start_day == day:
        return state.pageviews
    return max(0, min(state.last_day_pageviews, state.pageviews))
