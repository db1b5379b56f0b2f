"""Counts over a time range, from the rollups, never from scanning `event_logs`.

A range is split into whole days (`stats_daily`), whole hours at its edges (`stats_hourly`)
and minutes at the very edges (`stats_minutely`). Unique sessions and users come from
mergeable sketches: per day for the whole days a range covers, per hour for the days it cuts,
so a range's unique counts are exact to the hour at its edges (see
`projections.distinct_count` for the sketches' own error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import orjson
from psycopg import AsyncConnection, sql

from eventlens.domain.errors import InvalidInput
from eventlens.projections.distinct_count import Mergeable, union_count
from eventlens.views.clauses import all_of
from eventlens.views.ranges import STEPS, StatsFilter, ceil, floor, split_range
from eventlens.views.sketch_cache import CachedSketches, UniqueSketches

RESOLUTIONS = {"minute": "stats_minutely", "hour": "stats_hourly", "day": "stats_daily"}
MAX_POINTS = 5000


@dataclass
class Stats:
    total_events: int = 0
    page_views: int = 0
    clicks: int = 0
    unique_sessions: int = 0
    unique_users: int = 0
    events_by_type: dict[str, int] = field(default_factory=dict)
    events_by_adaptor: dict[str, int] = field(default_factory=dict)


def _where(f: StatsFilter, params: dict[str, Any], *, event_type: bool = True) -> sql.Composable:
    return _where_sql(_filtered(f, params, event_type=event_type))


def _filtered(
    f: StatsFilter, params: dict[str, Any], *, event_type: bool = True
) -> tuple[str, ...]:
    """The columns the filter names, their values put in `params`: a query's shape, for the
    composed-query caches below (composing SQL costs a stats query more than running it)."""
    pairs = [("schema_id", f.schema_id), ("container_id", f.container_id)]
    if event_type:
        pairs.append(("event_type", f.event_type))
    columns = []
    for column, value in pairs:
        if value is not None:
            params[column] = value
            columns.append(column)
    return tuple(columns)


def _where_sql(columns: tuple[str, ...]) -> sql.Composable:
    return all_of(
        [sql.SQL("{} = {}").format(sql.Identifier(c), sql.Placeholder(c)) for c in columns]
    )


async def stats(conn: AsyncConnection[Any], f: StatsFilter, sketches: UniqueSketches) -> Stats:
    if f.end <= f.start:
        raise InvalidInput("the range's end must be after its start", field="end")
    counts = _counts_query(f)
    uniques, unique_params, held = _uniques_query(f, sketches)
    # Both queries in one round trip: neither needs the other's answer.
    async with conn.pipeline():
        counted = await conn.execute(*counts) if counts is not None else None
        sketched = await conn.execute(uniques, unique_params, binary=True)
    result = Stats()
    for container_id, event_type, events in await counted.fetchall() if counted else []:
        result.total_events += events
        result.events_by_type[event_type] = result.events_by_type.get(event_type, 0) + events
        key = container_id or "(none)"
        result.events_by_adaptor[key] = result.events_by_adaptor.get(key, 0) + events
    result.page_views = result.events_by_type.get("page_view", 0)
    result.clicks = sum(n for t, n in result.events_by_type.items() if "click" in t)
    sessions, users = _merged(await sketched.fetchall(), held, sketches)
    if f.event_type is None:
        # The sketches are exact to the hour: minutes at a range's edges outside it may still
        # hold visitors. None of them can be counted when the range holds fewer events.
        sessions, users = min(sessions, result.total_events), min(users, result.total_events)
    result.unique_sessions, result.unique_users = sessions, users
    return result


def _counts_query(f: StatsFilter) -> tuple[sql.Composed, dict[str, Any]] | None:
    """Events by adaptor and type over the range's pieces of rollups (None: an empty range)."""
    pieces = split_range(f.start, f.end)
    if not pieces:
        return None
    params: dict[str, Any] = {}
    columns = _filtered(f, params)
    for index, (_, start, end) in enumerate(pieces):
        params[f"s{index}"], params[f"e{index}"] = start, end
    return _counts_sql(tuple(table for table, _, _ in pieces), columns), params


@lru_cache(maxsize=256)
def _counts_sql(tables: tuple[str, ...], columns: tuple[str, ...]) -> sql.Composed:
    where = _where_sql(columns)
    parts = [
        sql.SQL(
            "SELECT container_id, event_type, events FROM {table} "
            "WHERE bucket >= {s} AND bucket < {e} AND {where}"
        ).format(
            table=sql.Identifier(table),
            s=sql.Placeholder(f"s{index}"),
            e=sql.Placeholder(f"e{index}"),
            where=where,
        )
        for index, table in enumerate(tables)
    ]
    return sql.SQL(
        "SELECT container_id, event_type, sum(events)::bigint FROM ({}) AS r "
        "GROUP BY container_id, event_type"
    ).format(sql.SQL(" UNION ALL ").join(parts))


def unique_periods(
    f: StatsFilter,
) -> tuple[tuple[date, date] | None, list[tuple[datetime, datetime]]]:
    """The whole days (first and last, inclusive) whose daily sketches count, and the
    ranges of hours [from, to) whose hourly sketches count: those of the days the range cuts."""
    start, end = floor(f.start, "hour"), ceil(f.end, "hour")
    day_start, day_end = ceil(start, "day"), floor(end, "day")
    if day_start >= day_end:
        return None, [(start, end)]
    days = (day_start.date(), (day_end - STEPS["day"]).date())
    return days, [(h, e) for h, e in ((start, day_start), (day_end, end)) if h < e]


# The sketches of one table over the periods asked for, NULL where the caller holds the row
# at its current version already. `{day}` and `{hour}` name the period in its own column.
HELD_SKETCHES = """
SELECT {day}, {hour}, u.schema_id, u.container_id, u.version,
       CASE WHEN held.version IS NULL THEN u.sessions END,
       CASE WHEN held.version IS NULL THEN u.users END
FROM (
    SELECT {period} AS period, schema_id, container_id, xmin::text AS version, sessions, users
    FROM {table}
    WHERE ({periods}) AND {where}
) AS u
LEFT JOIN jsonb_to_recordset({held}::text::jsonb) AS held (period {kind}, schema_id text,
                                                           container_id text, version text)
    ON held.period = u.period AND held.schema_id = u.schema_id
       AND held.container_id = u.container_id AND held.version = u.version
"""
DAILY = ("stats_daily_uniques", "day", "date")
HOURLY = ("stats_hourly_uniques", "hour", "timestamptz")


Held = dict[str, dict[Any, CachedSketches]]


def _uniques_query(
    f: StatsFilter, sketches: UniqueSketches
) -> tuple[sql.Composed, dict[str, Any], Held]:
    """The query for the range's sketches, whole days' and cut days' hours', and the
    sketches the cache holds of them (the query answers NULL for those still current)."""
    days, hours = unique_periods(f)
    params: dict[str, Any] = {}
    columns = _filtered(f, params, event_type=False)
    held: Held = {}
    spans_by_table = (
        (DAILY, sketches.daily, [days] if days is not None else []),
        (HOURLY, sketches.hourly, [(h, e - timedelta(microseconds=1)) for h, e in hours]),
    )
    for (_, period, _), cache, spans in spans_by_table:
        if not spans:
            continue
        held[period] = {}
        for index, (first, last) in enumerate(spans):
            held[period].update(cache.between(first, last))
            params[f"{period}_first{index}"], params[f"{period}_last{index}"] = first, last
        # One JSON text, not four arrays: psycopg adapts array items one by one in Python.
        params[f"held_{period}"] = orjson.dumps(
            [
                {"period": k[0], "schema_id": k[1], "container_id": k[2], "version": e.version}
                for k, e in held[period].items()
            ]
        ).decode()
    shape = tuple(len(spans) for _, _, spans in spans_by_table)
    return _uniques_sql(shape, columns), params, held


@lru_cache(maxsize=256)
def _uniques_sql(spans: tuple[int, ...], columns: tuple[str, ...]) -> sql.Composed:
    """The sketches query for this many spans of days and of hours, filtered on `columns`."""
    where = _where_sql(columns)
    parts = []
    for (table, period, kind), count in zip((DAILY, HOURLY), spans, strict=True):
        if not count:
            continue
        ranges = [
            sql.SQL("{} BETWEEN {} AND {}").format(
                sql.Identifier(period),
                sql.Placeholder(f"{period}_first{index}"),
                sql.Placeholder(f"{period}_last{index}"),
            )
            for index in range(count)
        ]
        parts.append(
            sql.SQL(HELD_SKETCHES).format(
                day=sql.SQL("u.period" if period == "day" else "NULL::date"),
                hour=sql.SQL("u.period" if period == "hour" else "NULL::timestamptz"),
                period=sql.Identifier(period),
                table=sql.Identifier(table),
                periods=sql.SQL(" OR ").join(ranges),
                where=where,
                held=sql.Placeholder(f"held_{period}"),
                kind=sql.SQL(kind),
            )
        )
    return sql.Composed([sql.SQL(" UNION ALL ").join(parts)])


def _merged(rows: list[Any], held: Held, sketches: UniqueSketches) -> tuple[int, int]:
    """The unique sessions and users of the fetched and held sketches (sketches are fetched
    in binary: kilobytes each, not hex text)."""
    sessions: list[Mergeable] = []
    users: list[Mergeable] = []
    for day, hour, schema_id, container_id, version, session_sketch, user_sketch in rows:
        period, cache = ("day", sketches.daily) if day is not None else ("hour", sketches.hourly)
        key = (day if day is not None else hour, schema_id, container_id)
        if session_sketch is None:
            entry = held[period][key]
            cache.used(key)
        else:
            entry = CachedSketches(
                version, Mergeable(bytes(session_sketch)), Mergeable(bytes(user_sketch))
            )
            cache.hold(key, entry)
        sessions.append(entry.sessions)
        users.append(entry.users)
    return union_count(sessions), union_count(users)


async def time_series(
    conn: AsyncConnection[Any], f: StatsFilter, resolution: str
) -> list[tuple[datetime, int]]:
    table = RESOLUTIONS.get(resolution)
    if table is None:
        raise InvalidInput("resolution must be minute, hour or day", field="resolution")
    start, end = floor(f.start, resolution), ceil(f.end, resolution)
    step = STEPS[resolution]
    if (end - start) / step > MAX_POINTS:
        raise InvalidInput(
            f"at most {MAX_POINTS} points: choose a coarser resolution or a shorter range",
            field="resolution",
        )
    params: dict[str, Any] = {"start": start, "end": end}
    where = _where(f, params)
    cursor = await conn.execute(
        sql.SQL(
            "SELECT bucket, sum(events)::bigint FROM {} "
            "WHERE bucket >= %(start)s AND bucket < %(end)s AND {} GROUP BY bucket"
        ).format(sql.Identifier(table), where),
        params,
    )
    counts = {row[0]: row[1] for row in await cursor.fetchall()}
    points = []
    moment = start
    while moment < end:
        points.append((moment, counts.get(moment, 0)))
        moment += step
    return points


async def top_values(
    conn: AsyncConnection[Any], f: StatsFilter, dimension: str, limit: int
) -> list[tuple[str, int]]:
    """Top pages (`page`) or clicked links (`link`) over the days the range touches."""
    first_day, last_day = f.days
    params: dict[str, Any] = {
        "dimension": dimension,
        "first_day": first_day,
        "last_day": last_day,
        "limit": limit,
    }
    where = _where(f, params, event_type=False)
    cursor = await conn.execute(
        sql.SQL(
            "SELECT value, sum(events)::bigint AS n FROM stats_daily_dimensions "
            "WHERE dimension = %(dimension)s AND day BETWEEN %(first_day)s AND %(last_day)s "
            "AND {} GROUP BY value ORDER BY n DESC, value LIMIT %(limit)s"
        ).format(where),
        params,
    )
    return [(row[0], row[1]) for row in await cursor.fetchall()]
