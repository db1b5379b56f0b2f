"""The Stats API's rollups (`visit_rollups`, `page_rollups`, `rollup_sites`), kept by the
events projection in each batch's transaction from the events it newly recorded and the
visits that are over, and so rebuilt by `eventlens replay events` like its other tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from eventlens.projections import page_rollups, rollup_sites, visit_rollups
from eventlens.projections.distinct_count import hash64
from eventlens.projections.event_rows import EventRow
from eventlens.projections.local_days import utc_minute
from eventlens.projections.page_rollups import PageMinutes, Tally, page_days
from eventlens.projections.rollup_sites import (
    AdaptorZone,
    follow_adaptors,
    rolled_up_zones,
    site_zones,
)
from eventlens.projections.rollup_writes import write_page_days, write_visit_changes
from eventlens.projections.visit_rollups import VisitState, changes
from eventlens.projections.visits import CLOSE_VISITS

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

    @classmethod
    def of(cls, rows: Iterable[EventRow]) -> RollupRows:
        schemas: dict[str, set[str]] = {}
        pages: PageMinutes = {}
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
            visitor = enriched[0] or row.user_id or row.session_id
            if visitor is not None:
                hashed = hashes.get(visitor)
                if hashed is None:
                    hashed = hashes[visitor] = hash64(visitor)
                tally.visitors.add(hashed)
        return cls(schemas, pages)


def setup(conn: psycopg.Connection) -> None:
    conn.execute(DDL)
    rollup_sites.setup(conn)


def zones_of(
    conn: psycopg.Connection, adaptors: Sequence[AdaptorZone], rows: RollupRows
) -> dict[str, str]:
    """The zone of each site whose events the batch rolls up, after the catalog's changes of
    zone in the batch (`adaptors`)."""
    follow_adaptors(conn, adaptors)
    return site_zones(conn, rows.schemas) if rows.schemas else {}


def roll_up(
    conn: psycopg.Connection,
    rows: RollupRows,
    zones: dict[str, str],
    reopened: Sequence[tuple[Any, ...]],
    closed: Sequence[tuple[Any, ...]],
) -> None:
    """Add a batch to the rollups: its newly recorded events (`rows`, by page), the visits
    it continued that were rolled up already (`reopened`, as they were: taken out) and the
    visits that are over now (`closed`: added), both as `STATE_COLUMNS`. `zones`: the
    batch's sites' zones, completed here with those of the closed visits' sites."""
    missing = {row[0] for row in closed} - zones.keys()
    if missing:
        zones.update(rolled_up_zones(conn, missing))
    removed = [state for row in reopened if (state := VisitState.of(row)).container_id in zones]
    added = [state for row in closed if (state := VisitState.of(row)).container_id in zones]
    if removed or added:
        write_visit_changes(conn, changes(added, removed, zones))
    if rows.pages:
        write_page_days(conn, page_days(rows.pages, zones))


def roll_up_visits_over(conn: psycopg.Connection, before: datetime) -> int:
    """Roll up every visit that ended before `before` (the projection does so as events move
    on; this is for a site that fell silent, and for tests). Returns how many."""
    closed = conn.execute(CLOSE_VISITS, (before,)).fetchall()
    roll_up(conn, RollupRows({}, {}), {}, [], closed)
    return len(closed)
