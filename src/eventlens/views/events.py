"""Recorded and rejected events, newest first, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row

from eventlens.read_models import WEB_COLUMNS
from eventlens.views.clauses import all_of, before_cursor, equal_to, page
from eventlens.views.ranges import as_utc, check_moment

EVENT_FIELDS = sql.SQL(
    'event_id, schema_id, container_id, event_type, user_id, session_id, "timestamp", '
    "received_at, properties, metadata, {}"
).format(sql.SQL(", ").join(map(sql.Identifier, WEB_COLUMNS)))
Page = tuple[list[dict[str, Any]], str | None]


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


def _event_where(f: EventFilter, cursor: str | None, params: dict[str, Any]) -> sql.Composable:
    columns = ("schema_id", "container_id", "event_type", "session_id", "user_id")
    clauses = equal_to(((c, getattr(f, c)) for c in columns), params)
    if f.start is not None:
        clauses.append(sql.SQL('"timestamp" >= %(start)s'))
        params["start"] = f.start
    if f.end is not None:
        clauses.append(sql.SQL('"timestamp" < %(end)s'))
        params["end"] = f.end
    if f.properties:
        clauses.append(sql.SQL("properties @> %(props)s::jsonb"))
        params["props"] = orjson.dumps(f.properties).decode()
    return all_of(clauses + before_cursor(cursor, params))


async def events(
    conn: AsyncConnection[Any], f: EventFilter, limit: int, cursor: str | None = None
) -> Page:
    """Newest first; returns the page and the cursor of the next page (None at the end)."""
    params: dict[str, Any] = {"limit": limit + 1}
    where = _event_where(f, cursor, params)
    query = sql.SQL(
        "SELECT {fields} FROM event_logs WHERE {where} "
        "ORDER BY received_at DESC, event_id DESC LIMIT %(limit)s"
    ).format(fields=EVENT_FIELDS, where=where)
    return await _page(conn, query, params, limit)


async def rejected(
    conn: AsyncConnection[Any],
    schema_id: str | None,
    reason: str | None,
    limit: int,
    cursor: str | None = None,
) -> Page:
    params: dict[str, Any] = {"limit": limit + 1}
    clauses = equal_to([("schema_id", schema_id)], params, prefix="r")
    if reason is not None:
        clauses.append(sql.SQL("%(reason)s = ANY(r.reason_codes)"))
        params["reason"] = reason
    clauses += before_cursor(cursor, params, prefix="r")
    query = sql.SQL(
        "SELECT r.event_id, r.schema_id, r.container_id, r.event_type, r.received_at, "
        "r.reasons, r.payload, (l.event_id IS NOT NULL) AS reprocessed "
        "FROM rejected_events r LEFT JOIN event_logs l "
        "ON l.schema_id = r.schema_id AND l.event_id = r.event_id "
        "WHERE {} ORDER BY r.received_at DESC, r.event_id DESC LIMIT %(limit)s"
    ).format(all_of(clauses))
    return await _page(conn, query, params, limit)


async def _page(
    conn: AsyncConnection[Any], query: sql.Composed, params: dict[str, Any], limit: int
) -> Page:
    """`limit` + 1 rows, newest first: the page, and the next page's cursor if there is one."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, params)
        return page(await cur.fetchall(), limit)


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
        # An opted-out person's events stay refused, whatever else is fixed.
        "AND NOT ('opted_out' = ANY(r.reason_codes)) "
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
