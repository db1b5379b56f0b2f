"""The catalog's activity and history, and replay runs, as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row


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


async def replay_runs(conn: AsyncConnection[Any]) -> list[dict[str, Any]]:
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT projection, state, events_done, events_total, rate, eta_seconds, "
            "started_at, finished_at FROM public.replay_runs ORDER BY started_at DESC"
        )
        return await cur.fetchall()
