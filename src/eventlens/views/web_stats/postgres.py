"""`WebStatsQueries` over PostgreSQL's read models (`event_logs`, `visits`): a breakdown's
parts (`parts.py`) joined on their dimensions, ordered, paged and counted in one statement."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from psycopg import sql

from eventlens.domain.stats_query import Breakdown, Page, Row, Site
from eventlens.domain.stats_query.timeline import hour_label
from eventlens.domain.stats_query.vocabulary import is_time
from eventlens.views.web_stats.columns import Params
from eventlens.views.web_stats.parts import (
    events_part,
    scroll_depth_part,
    sessions_part,
    time_on_page_part,
)
from eventlens.views.web_stats.patterns import matched_values
from eventlens.views.web_stats.plan import plan
from eventlens.views.web_stats.realtime import current_visitors
from eventlens.views.web_stats.scopes import Scopes

NULLABLE = ("time_on_page", "scroll_depth")
MAX_OFFSET = 2**62  # any offset beyond is past every row, and fits PostgreSQL's bigint

FIRST_DAY = """
SELECT min("timestamp") FROM event_logs
WHERE schema_id = %(schema)s AND container_id = %(site)s AND event_type <> 'engagement'
"""


class PostgresWebStats:
    def __init__(self, pool: Any) -> None:
        self.pool = pool

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
            matched = await matched_values(conn, site, breakdown)
            params = Params()
            statement = breakdown_sql(
                Scopes(site, breakdown.time_range, params, matched), breakdown
            )
            cursor = await conn.execute(statement, params.values)
            found = await cursor.fetchall()
        return _page(breakdown, found)


def breakdown_sql(scopes: Scopes, breakdown: Breakdown) -> sql.Composed:
    chosen = plan(breakdown)
    dims, filters = breakdown.dimensions, breakdown.filters
    parts: list[tuple[sql.Composed, tuple[str, ...]]] = []
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
    return _joined(breakdown, parts, scopes.params)


def _joined(
    breakdown: Breakdown, parts: list[tuple[sql.Composed, tuple[str, ...]]], params: Params
) -> sql.Composed:
    """The first part's rows, each with the other parts' metrics for the same dimensions."""
    count = len(breakdown.dimensions)
    sources: list[sql.Composable] = [sql.SQL("({}) AS m0").format(parts[0][0])]
    metric_columns: dict[str, sql.Composable] = {}
    for index, (part, metrics) in enumerate(parts):
        alias = f"m{index}"
        if index:
            same: list[sql.Composable] = [
                sql.SQL("m0.{0} IS NOT DISTINCT FROM {1}.{0}").format(
                    sql.Identifier(f"d{i}"), sql.Identifier(alias)
                )
                for i in range(count)
            ]
            sources.append(
                sql.SQL("LEFT JOIN ({}) AS {} ON {}").format(
                    part, sql.Identifier(alias), sql.SQL(" AND ").join(same or [sql.SQL("TRUE")])
                )
            )
        for metric in metrics:
            value: sql.Composable = sql.Identifier(alias, metric)
            if index and metric not in NULLABLE:
                value = sql.SQL("coalesce({}, 0)").format(value)
            metric_columns[metric] = value
    columns: list[sql.Composable] = [sql.Identifier("m0", f"d{i}") for i in range(count)]
    columns += [
        sql.SQL("{} AS {}").format(metric_columns[m], sql.Identifier(m)) for m in breakdown.metrics
    ]
    columns.append(sql.SQL("count(*) OVER () AS total_rows"))
    statement = sql.SQL("SELECT {} FROM {}{}").format(
        sql.SQL(", ").join(columns), sql.SQL(" ").join(sources), _order(breakdown, metric_columns)
    )
    if breakdown.limit is not None:
        statement = sql.SQL("{} LIMIT {} OFFSET {}").format(
            statement, params.add(breakdown.limit), params.add(min(breakdown.offset, MAX_OFFSET))
        )
    return statement


def _order(breakdown: Breakdown, metrics: dict[str, sql.Composable]) -> sql.Composable:
    """The requested order, then the dimensions ascending so that equal rows keep one order."""
    keys: list[sql.Composable] = []
    for value, way in breakdown.order_by:
        direction = sql.SQL("DESC" if way == "desc" else "ASC")
        if value in metrics:
            keys.append(sql.SQL("{} {} NULLS LAST").format(metrics[value], direction))
        elif value in breakdown.dimensions:
            keys.append(sql.SQL("{} {}").format(_dimension_key(breakdown, value), direction))
    keys += [_dimension_key(breakdown, d) for d in breakdown.dimensions]
    if not keys:
        return sql.SQL("")
    return sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(keys))


def _dimension_key(breakdown: Breakdown, dimension: str) -> sql.Composable:
    column = sql.Identifier("m0", f"d{breakdown.dimensions.index(dimension)}")
    if is_time(dimension):
        return column
    return sql.SQL('{} COLLATE "C"').format(column)


def _page(breakdown: Breakdown, found: list[tuple[Any, ...]]) -> Page:
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
