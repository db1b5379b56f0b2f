"""`WebStatsQueries` over PostgreSQL's read models (`event_logs`, `visits`): a breakdown's
parts (`parts.py`) joined on their dimensions, ordered, paged and counted in one statement;
the top graph and unfiltered breakdowns from the rollups (`rollups.py`) when they can."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import sql

from eventlens.domain.stats_query import Breakdown, Page, Row, Site
from eventlens.domain.stats_query.timeline import hour_label
from eventlens.views.web_stats.columns import Params
from eventlens.views.web_stats.joined import Part, joined
from eventlens.views.web_stats.parts import (
    events_part,
    scroll_depth_part,
    sessions_part,
    time_on_page_part,
)
from eventlens.views.web_stats.patterns import matched_values
from eventlens.views.web_stats.plan import plan
from eventlens.views.web_stats.realtime import current_visitors
from eventlens.views.web_stats.rollup_shapes import rolled_up
from eventlens.views.web_stats.rollups import rollup_rows
from eventlens.views.web_stats.scopes import Scopes

FIRST_DAY = """
SELECT min("timestamp") FROM event_logs
WHERE schema_id = %(schema)s AND container_id = %(site)s AND event_type <> 'engagement'
"""


class PostgresWebStats:
    def __init__(self, pool: Any, *, rollups: bool = True) -> None:
        """`rollups`: answer what they can from the rollups (`rollups.py`); without, every
        breakdown is counted from `visits` and `event_logs`."""
        self.pool = pool
        self.rollups = rollups

    async def first_day(self, site: Site) -> date | None:
        async with self.pool.connection() as conn:
            cursor = await conn.execute(
                FIRST_DAY, {"schema": site.schema_id, "site": site.container_id}
            )
            row = await cursor.fetchone()
        first: datetime | None = row[0] if row else None
        return None if first is None else first.astimezone(ZoneInfo(site.timezone)).date()

    async def current_visitors(self, site: Site, now: datetime) -> int:
        async with self.pool.connection() as conn:
            return await current_visitors(conn, site, now)

    async def breakdown(self, site: Site, breakdown: Breakdown) -> Page:
        async with self.pool.connection() as conn:
            if self.rollups and rolled_up(breakdown):
                rolled = await rollup_rows(conn, site, breakdown)
                if rolled is not None:
                    return as_page(breakdown, rolled)
            matched = await matched_values(conn, site, breakdown)
            params = Params()
            statement = breakdown_sql(
                Scopes(site, breakdown.time_range, params, matched), breakdown
            )
            cursor = await conn.execute(statement, params.values)
            found = await cursor.fetchall()
        return as_page(breakdown, found)


def breakdown_sql(scopes: Scopes, breakdown: Breakdown) -> sql.Composed:
    chosen = plan(breakdown)
    dims, filters = breakdown.dimensions, breakdown.filters
    parts: list[Part] = []
    if chosen.event_metrics:
        counted = chosen.counted_event_metrics
        parts.append((events_part(scopes, counted, dims, filters), counted))
        if "time_on_page" in chosen.event_metrics:
            parts.append((time_on_page_part(scopes, dims, filters), ("time_on_page",)))
        if "scroll_depth" in chosen.event_metrics:
            parts.append((scroll_depth_part(scopes, dims, filters), ("scroll_depth",)))
    if chosen.session_metrics or not parts:
        part = sessions_part(
            scopes, chosen.session_metrics, chosen.session_dimensions, chosen.session_filters
        )
        parts.append((part, chosen.session_metrics))
    return joined(breakdown, parts, scopes.params)


def as_page(breakdown: Breakdown, found: list[tuple[Any, ...]]) -> Page:
    """The rows of a breakdown's statement: dimensions, metrics, then the rows before paging."""
    count = len(breakdown.dimensions)
    rows = []
    for record in found:
        values = record[:count]
        metrics = dict(zip(breakdown.metrics, record[count:-1], strict=True))
        rows.append(Row(tuple(_label(v) for v in values), metrics))
    total = found[0][-1] if found else 0
    return Page(rows, total)


def _label(value: Any) -> str:
    if isinstance(value, datetime):
        return hour_label(value)
    if isinstance(value, date):
        return value.isoformat()
    return "" if value is None else str(value)
