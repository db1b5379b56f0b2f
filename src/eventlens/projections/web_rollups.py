"""The Stats API's rollups (`visit_rollups`, `page_rollups`, `rollup_sites`), kept by the
events projection in each batch's transaction from the events it newly recorded and the
visits they changed, and so rebuilt by `eventlens replay events` like its other tables."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import psycopg

from eventlens.projections import page_rollups, rollup_sites, visit_rollups
from eventlens.projections.event_rows import EventRow
from eventlens.projections.page_rollups import PageMinutes, page_days, page_minutes, utc_minute
from eventlens.projections.rollup_sites import AdaptorZone, follow_adaptors, site_zones
from eventlens.projections.rollup_writes import write_page_days, write_visit_changes
from eventlens.projections.visit_rollups import VisitState, changes, page_views_by_day

DDL = rollup_sites.DDL + visit_rollups.DDL + page_rollups.DDL
PAGE_VIEW = "page_view"


def site_schemas(rows: Iterable[EventRow]) -> dict[str, set[str]]:
    """The schemas each site's events came under."""
    found: dict[str, set[str]] = {}
    for row in rows:
        if row.container_id:
            found.setdefault(row.container_id, set()).add(row.schema_id)
    return found


def roll_up(
    conn: psycopg.Connection,
    adaptors: Sequence[AdaptorZone],
    rows: Sequence[EventRow],
    visits: Mapping[tuple[str, str], str],
    merged: Sequence[tuple[Any, ...]],
    pages: PageMinutes | None = None,
) -> None:
    """Add a batch to the rollups. `adaptors`: the catalog's changes of zone in the batch;
    `rows`: the events newly recorded, `visits` each one's visit (by `EventRow.key`);
    `merged`: the visits they touched, as `MERGE_VISITS` read them back (a flag, then
    `STATE_COLUMNS`: false before the batch, true after); `pages`: `page_minutes(rows)`
    when already counted."""
    follow_adaptors(conn, adaptors)
    schemas = site_schemas(rows)
    if not schemas:
        return
    zones = site_zones(conn, schemas)
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
    for row in rows:
        if row.event_type == PAGE_VIEW and row.container_id:
            visit = visits.get(row.key)
            if visit is not None:
                views[(row.container_id, visit, utc_minute(row.occurred_at))] += 1
    write_visit_changes(conn, changes(before, after, zones, page_views_by_day(views, zones)))
    write_page_days(conn, page_days(page_minutes(rows) if pages is None else pages, zones))
