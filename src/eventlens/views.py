"""Queries over the read models (the read side), shared by REST and GraphQL.

Stats come from the rollups, never from scanning `event_logs`: a range is split into whole
days (`stats_daily`), whole hours at its edges (`stats_hourly`) and minutes at the very edges
(`stats_minutely`). Unique sessions and users come from per-day mergeable sketches, so they
count every day the range touches (see `projections.distinct_count` for their error).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import orjson
from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row

from eventlens.domain.errors import InvalidInput
from eventlens.projections.distinct_count import merged_count
from eventlens.sketch_cache import CachedSketches, SketchCache

RESOLUTIONS = {"minute": "stats_minutely", "hour": "stats_hourly", "day": "stats_daily"}
MAX_POINTS = 5000
# Moments a query may name. Far enough inside datetime's own limits (years 1 to 9999) that
# widening a range to whole days, or a default of a week before its end, cannot overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def check_moment(moment: datetime | None, name: str) -> None:
    if moment is None:
        return
    if not EARLIEST <= as_utc(moment) < LATEST:
        raise InvalidInput(f"{name} must be between the years 1900 and 9000", field=name)


def as_utc(moment: datetime) -> datetime:
    """A query's moment in UTC. One without an offset is UTC, as events' times are, whatever
    the server's own time zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class StatsFilter:
    start: datetime
    end: datetime
    schema_id: str | None = None
    container_id: str | None = None
    event_type: str | None = None

    @classmethod
    def last(cls, span: timedelta, **filters: Any) -> StatsFilter:
        """The `span` up to now, in whole minutes (the current minute included)."""
        end = floor(datetime.now(UTC), "minute") + timedelta(minutes=1)
        return cls(start=end - span, end=end, **filters)


@dataclass
class Stats:
    total_events: int = 0
    page_views: int = 0
    clicks: int = 0
    unique_sessions: int = 0
    unique_users: int = 0
    events_by_type: dict[str, int] = field(default_factory=dict)
    events_by_adaptor: dict[str, int] = field(default_factory=dict)


def floor(moment: datetime, unit: str) -> datetime:
    moment = as_utc(moment)
    if unit == "minute":
        return moment.replace(second=0, microsecond=0)
    if unit == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def ceil(moment: datetime, unit: str) -> datetime:
    floored = floor(moment, unit)
    if floored == as_utc(moment):
        return floored
    step = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
    return floored + step[unit]


def split_range(start: datetime, end: datetime) -> list[tuple[str, datetime, datetime]]:
    """[start, end) as pieces (table, from, to) of the coarsest rollup that fits each piece."""
    start, end = floor(start, "minute"), ceil(end, "minute")
    if end <= start:
        return []
    pieces: list[tuple[str, datetime, datetime]] = []
    hour_start, hour_end = ceil(start, "hour"), floor(end, "hour")
    if hour_start >= hour_end:
        return [("stats_minutely", start, end)]
    day_start, day_end = ceil(hour_start, "day"), floor(hour_end, "day")
    pieces.append(("stats_minutely", start, hour_start))
    if day_start >= day_end:
        pieces.append(("stats_hourly", hour_start, hour_end))
    else:
        pieces += [
            ("stats_hourly", hour_start, day_start),
            ("stats_daily", day_start, day_end),
            ("stats_hourly", day_end, hour_end),
        ]
    pieces.append(("stats_minutely", hour_end, end))
    return [p for p in pieces if p[1] < p[2]]


def _filters(f: StatsFilter) -> tuple[sql.Composable, dict[str, Any]]:
    clauses: list[sql.Composable] = [sql.SQL("TRUE")]
    params: dict[str, Any] = {}
    for column, value in (
        ("schema_id", f.schema_id),
        ("container_id", f.container_id),
        ("event_type", f.event_type),
    ):
        if value is not None:
            clauses.append(
                sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column))
            )
            params[column] = value
    return sql.SQL(" AND ").join(clauses), params


async def stats(conn: AsyncConnection[Any], f: StatsFilter, sketches: SketchCache) -> Stats:
    if f.end <= f.start:
        raise InvalidInput("the range's end must be after its start", field="end")
    where, params = _filters(f)
    pieces = split_range(f.start, f.end)
    result = Stats()
    if pieces:
        parts = []
        for index, (table, start, end) in enumerate(pieces):
            params[f"s{index}"], params[f"e{index}"] = start, end
            parts.append(
                sql.SQL(
                    "SELECT container_id, event_type, events FROM {table} "
                    "WHERE bucket >= {s} AND bucket < {e} AND {where}"
                ).format(
                    table=sql.Identifier(table),
                    s=sql.Placeholder(f"s{index}"),
                    e=sql.Placeholder(f"e{index}"),
                    where=where,
                )
            )
        query = sql.SQL(
            "SELECT container_id, event_type, sum(events)::bigint FROM ({}) AS r "
            "GROUP BY container_id, event_type"
        ).format(sql.SQL(" UNION ALL ").join(parts))
        cursor = await conn.execute(query, params)
        for container_id, event_type, events in await cursor.fetchall():
            result.total_events += events
            result.events_by_type[event_type] = result.events_by_type.get(event_type, 0) + events
            key = container_id or "(none)"
            result.events_by_adaptor[key] = result.events_by_adaptor.get(key, 0) + events
    result.page_views = result.events_by_type.get("page_view", 0)
    result.clicks = sum(n for t, n in result.events_by_type.items() if "click" in t)
    result.unique_sessions, result.unique_users = await _uniques(conn, f, sketches)
    return result


UNIQUES = """
SELECT u.day, u.schema_id, u.container_id, u.version,
       CASE WHEN held.version IS NULL THEN u.sessions END,
       CASE WHEN held.version IS NULL THEN u.users END
FROM (
    SELECT day, schema_id, container_id, xmin::text AS version, sessions, users
    FROM stats_daily_uniques
    WHERE day BETWEEN %(first_day)s AND %(last_day)s AND {where}
) AS u
LEFT JOIN jsonb_to_recordset(%(held)s::text::jsonb) AS held (day date, schema_id text,
                                                               container_id text, version text)
    ON held.day = u.day AND held.schema_id = u.schema_id
       AND held.container_id = u.container_id AND held.version = u.version
"""


async def _uniques(
    conn: AsyncConnection[Any], f: StatsFilter, cache: SketchCache
) -> tuple[int, int]:
    """Merges the range's per-day sketches; those the cache holds at their row's current
    version are not fetched again (the query answers NULL for them)."""
    where, params = _filters(StatsFilter(f.start, f.end, f.schema_id, f.container_id))
    first_day = floor(f.start, "day").date()
    last_day = (ceil(f.end, "minute") - timedelta(microseconds=1)).date()
    held = cache.between(first_day, last_day)
    params.update(
        first_day=first_day,
        last_day=last_day,
        # One JSON text, not four arrays: psycopg adapts array items one by one in Python.
        held=orjson.dumps(
            [
                {"day": k[0], "schema_id": k[1], "container_id": k[2], "version": e.version}
                for k, e in held.items()
            ]
        ).decode(),
    )
    cursor = await conn.execute(
        sql.SQL(UNIQUES).format(where=where),
        params,
        binary=True,  # sketches are kilobytes each: raw bytes, not hex text
    )
    sessions: list[bytes] = []
    users: list[bytes] = []
    rows = await cursor.fetchall()
    for day, schema_id, container_id, version, session_sketch, user_sketch in rows:
        key = (day, schema_id, container_id)
        if session_sketch is None:
            entry = held[key]
            cache.used(key)
        else:
            entry = CachedSketches(version, bytes(session_sketch), bytes(user_sketch))
            cache.hold(key, entry)
        sessions.append(entry.sessions)
        users.append(entry.users)
    return merged_count(sessions), merged_count(users)


async def time_series(
    conn: AsyncConnection[Any], f: StatsFilter, resolution: str
) -> list[tuple[datetime, int]]:
    table = RESOLUTIONS.get(resolution)
    if table is None:
        raise InvalidInput("resolution must be minute, hour or day", field="resolution")
    start, end = floor(f.start, resolution), ceil(f.end, resolution)
    step = {"minute": 60, "hour": 3600, "day": 86400}[resolution]
    if (end - start).total_seconds() / step > MAX_POINTS:
        raise InvalidInput(
            f"at most {MAX_POINTS} points: choose a coarser resolution or a shorter range",
            field="resolution",
        )
    where, params = _filters(f)
    params.update(start=start, end=end)
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
        moment += timedelta(seconds=step)
    return points


# Events ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilter:
    schema_id: str | None = None
    container_id: str | None = None
    event_type: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    properties: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        check_moment(self.start, "start")
        check_moment(self.end, "end")
        # Frozen: set through object's own setattr, once, here.
        if self.start is not None:
            object.__setattr__(self, "start", as_utc(self.start))
        if self.end is not None:
            object.__setattr__(self, "end", as_utc(self.end))


def encode_cursor(received_at: datetime, event_id: UUID) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([received_at.isoformat(), str(event_id)])).decode()


def _page(rows: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """`limit` + 1 rows were asked for: the extra one only says that a next page exists."""
    page = rows[:limit]
    if len(rows) <= limit:
        return page, None
    return page, encode_cursor(page[-1]["received_at"], page[-1]["event_id"])


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        moment, event_id = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(moment), UUID(event_id)
    except Exception:
        raise InvalidInput("cursor is not one this API issued", field="cursor") from None


EVENT_FIELDS = sql.SQL(
    'event_id, schema_id, container_id, event_type, user_id, session_id, "timestamp", '
    "received_at, properties, metadata"
)


def _event_where(f: EventFilter, cursor: str | None) -> tuple[sql.Composable, dict[str, Any]]:
    clauses: list[sql.Composable] = [sql.SQL("TRUE")]
    params: dict[str, Any] = {}
    for column in ("schema_id", "container_id", "event_type", "session_id", "user_id"):
        value = getattr(f, column)
        if value is not None:
            clauses.append(
                sql.SQL("{} = {}").format(sql.Identifier(column), sql.Placeholder(column))
            )
            params[column] = value
    if f.start is not None:
        clauses.append(sql.SQL('"timestamp" >= %(start)s'))
        params["start"] = f.start
    if f.end is not None:
        clauses.append(sql.SQL('"timestamp" < %(end)s'))
        params["end"] = f.end
    if f.properties:
        clauses.append(sql.SQL("properties @> %(props)s::jsonb"))
        params["props"] = orjson.dumps(f.properties).decode()
    if cursor is not None:
        received_at, event_id = decode_cursor(cursor)
        clauses.append(sql.SQL("(received_at, event_id) < (%(c_at)s, %(c_id)s)"))
        params.update(c_at=received_at, c_id=event_id)
    return sql.SQL(" AND ").join(clauses), params


async def events(
    conn: AsyncConnection[Any], f: EventFilter, limit: int, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """Newest first; returns the page and the cursor of the next page (None at the end)."""
    where, params = _event_where(f, cursor)
    params["limit"] = limit + 1
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            sql.SQL(
                "SELECT {fields} FROM event_logs WHERE {where} "
                "ORDER BY received_at DESC, event_id DESC LIMIT %(limit)s"
            ).format(fields=EVENT_FIELDS, where=where),
            params,
        )
        rows = await cur.fetchall()
    return _page(rows, limit)


async def rejected(
    conn: AsyncConnection[Any],
    schema_id: str | None,
    reason: str | None,
    limit: int,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    clauses: list[sql.Composable] = [sql.SQL("TRUE")]
    params: dict[str, Any] = {"limit": limit + 1}
    if schema_id is not None:
        clauses.append(sql.SQL("r.schema_id = %(schema_id)s"))
        params["schema_id"] = schema_id
    if reason is not None:
        clauses.append(sql.SQL("%(reason)s = ANY(r.reason_codes)"))
        params["reason"] = reason
    if cursor is not None:
        received_at, event_id = decode_cursor(cursor)
        clauses.append(sql.SQL("(r.received_at, r.event_id) < (%(c_at)s, %(c_id)s)"))
        params.update(c_at=received_at, c_id=event_id)
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            sql.SQL(
                "SELECT r.event_id, r.schema_id, r.container_id, r.event_type, r.received_at, "
                "r.reasons, r.payload, (l.event_id IS NOT NULL) AS reprocessed "
                "FROM rejected_events r LEFT JOIN event_logs l "
                "ON l.schema_id = r.schema_id AND l.event_id = r.event_id "
                "WHERE {} ORDER BY r.received_at DESC, r.event_id DESC LIMIT %(limit)s"
            ).format(sql.SQL(" AND ").join(clauses)),
            params,
        )
        rows = await cur.fetchall()
    return _page(rows, limit)


async def top_values(
    conn: AsyncConnection[Any], f: StatsFilter, dimension: str, limit: int
) -> list[tuple[str, int]]:
    """Top pages (`page`) or clicked links (`link`) over the days the range touches."""
    where, params = _filters(StatsFilter(f.start, f.end, f.schema_id, f.container_id))
    params.update(
        dimension=dimension,
        first_day=floor(f.start, "day").date(),
        last_day=(ceil(f.end, "minute") - timedelta(microseconds=1)).date(),
        limit=limit,
    )
    cursor = await conn.execute(
        sql.SQL(
            "SELECT value, sum(events)::bigint AS n FROM stats_daily_dimensions "
            "WHERE dimension = %(dimension)s AND day BETWEEN %(first_day)s AND %(last_day)s "
            "AND {} GROUP BY value ORDER BY n DESC, value LIMIT %(limit)s"
        ).format(where),
        params,
    )
    return [(row[0], row[1]) for row in await cursor.fetchall()]


async def adaptor_activity(
    conn: AsyncConnection[Any],
) -> dict[str, tuple[datetime | None, int]]:
    """Per adaptor: the last minute it sent events, and its events in the last hour."""
    cursor = await conn.execute(
        "SELECT a.container_id, m.last, coalesce(h.n, 0)::bigint FROM adaptors a "
        "LEFT JOIN LATERAL (SELECT max(bucket) AS last FROM stats_minutely "
        "  WHERE container_id = a.container_id) m ON TRUE "
        "LEFT JOIN LATERAL (SELECT sum(events) AS n FROM stats_minutely "
        "  WHERE container_id = a.container_id AND bucket >= now() - interval '1 hour') h ON TRUE"
    )
    return {row[0]: (row[1], row[2] or 0) for row in await cursor.fetchall()}


async def schema_versions(conn: AsyncConnection[Any], name: str) -> list[dict[str, Any]]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT version, description, event_types, recorded_at FROM schema_versions "
            "WHERE name = %s ORDER BY version DESC",
            (name,),
        )
        return await cur.fetchall()


async def rejected_to_retry(
    conn: AsyncConnection[Any],
    schema_id: str | None,
    limit: int,
    after: tuple[datetime, UUID] | None = None,
) -> list[dict[str, Any]]:
    """Rejected events not re-processed yet (their original payloads), oldest first, after
    the (received_at, event_id) key of the previous page."""
    cursor = await conn.execute(
        "SELECT r.payload FROM rejected_events r "
        "WHERE (%(schema)s::text IS NULL OR r.schema_id = %(schema)s) "
        "AND (%(at)s::timestamptz IS NULL OR (r.received_at, r.event_id) > (%(at)s, %(id)s)) "
        "AND NOT EXISTS (SELECT 1 FROM event_logs l "
        "WHERE l.schema_id = r.schema_id AND l.event_id = r.event_id) "
        "ORDER BY r.received_at, r.event_id LIMIT %(limit)s",
        {
            "schema": schema_id,
            "limit": limit,
            "at": after[0] if after else None,
            "id": after[1] if after else None,
        },
    )
    return [row[0] for row in await cursor.fetchall()]


async def replay_runs(conn: AsyncConnection[Any]) -> list[dict[str, Any]]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT projection, state, events_done, events_total, rate, eta_seconds, "
            "started_at, finished_at FROM public.replay_runs ORDER BY started_at DESC"
        )
        return await cur.fetchall()
