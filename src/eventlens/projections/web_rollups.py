"""The Stats API's rollups (`visit_rollups`, `page_rollups`, `rollup_sites`), kept by the
events projection in each batch's transaction from the events it newly recorded and the
visits they changed, and so rebuilt by `eventlens replay events` like its other tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg

from eventlens.projections import page_rollups, rollup_sites, visit_rollups
from eventlens.projections.distinct_count import hash64
from eventlens.projections.event_rows import EventRow
from eventlens.projections.page_rollups import PageMinutes, Tally, page_days, utc_minute
from eventlens.projections.rollup_sites import AdaptorZone, follow_adaptors, site_zones
from eventlens.projections.rollup_writes import write_page_days, write_visit_changes
from eventlens.projections.visit_rollups import VisitState, changes, page_views_by_day

DDL = visit_rollups.DDL + page_rollups.DDL
PAGE_VIEW = "page_view"
ENGAGEMENT = "engagement"
PATH = 3  # the page's path among `EventRow.enriched`


@dataclass(frozen=True)
class RollupRows:
    """What the rollups take from a batch's newly recorded events, counted before its
    transaction (in the worker's reader thread), in one pass over them."""

    schemas: dict[str, set[str]]  # site -> the schemas of its events
    pages: PageMinutes  # every event but engagement, by site, UTC minute and page
    page_views: list[tuple[tuple[str, str], str, str]]  # (event key, site, UTC minute)

    @classmethod
    def of(cls, rows: Iterable[EventRow]) -> RollupRows:
        schemas: dict[str, set[str]] = {}
        pages: PageMinutes = {}
        page_views: list[tuple[tuple[str, str], str, str]] = []
        hashes: dict[str, int] = {}
        for row in rows:
            container = row.container_id
            if not container:
                continue  # an event of no site
            known = schemas.get(container)
            if known is None:
                schemas[container] = {row.schema_id}
            else:
                known.add(row.schema_id)
            event_type = row.event_type
            if event_type == ENGAGEMENT:
                continue
            minute = utc_minute(row.occurred_at)
            enriched = row.enriched
            key = (container, minute, enriched[PATH] or "")
            tally = pages.get(key)
            if tally is None:
                tally = pages[key] = Tally()
            if event_type == PAGE_VIEW:
                tally.pageviews += 1
                page_views.append((row.key, container, minute))
            visitor = enriched[0] or row.user_id or row.session_id
            if visitor is not None:
                hashed = hashes.get(visitor)
                if hashed is None:
                    hashed = hashes[visitor] = hash64(visitor)
                tally.visitors.add(hashed)
        return cls(schemas, pages, page_views)


def setup(conn: psycopg.Connection) -> None:
    conn.execute(DDL)
    rollup_sites.setup(conn)


def roll_up(
    conn: psycopg.Connection,
    adaptors: Sequence[AdaptorZone],
    rows: RollupRows,
    visits: Mapping[tuple[str, str], str],
    merged: Sequence[tuple[Any, ...]],
) -> None:
    """Add a batch to the rollups. `adaptors`: the catalog's changes of zone in the batch;
    `rows`: its newly recorded events, `visits` each one's visit (by `EventRow.key`);
    `merged`: the visits they touched, as `MERGE_VISITS` read them back (a flag, then
    `STATE_COLUMNS`: false before the batch, true after)."""
    follow_adaptors(conn, adaptors)
    if not rows.schemas:
        return
    zones = site_zones(conn, rows.schemas)
    before: dict[tuple[str, str], VisitState] = {}
    after: list[VisitState] = []
    for after_batch, *columns in merged:
        state = VisitState.of(tuple(columns))
        if state.container_id not in zones:
            continue  # a visit of no site
        if after_batch:
            after.append(state)
        else:
            before[(state.container_id, state.visit_id)] = state
    views: Counter[tuple[str, str, str]] = Counter()
    for key, container, minute in rows.page_views:
        visit = visits.get(key)
        if visit is not None and container in zones:
            views[(container, visit, minute)] += 1
    write_visit_changes(conn, changes(before, after, zones, page_views_by_day(views, zones)))
    write_page_days(conn, page_days(rows.pages, zones))
