"""How many events bots sent, per site and day (`bot_counts_daily`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import dict_row


async def bot_counts(
    conn: AsyncConnection[Any], start: date, end: date, container_id: str | None = None
) -> list[dict[str, Any]]:
    """Days in [start, end], newest first, then sites by name."""
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            "SELECT day, container_id, events FROM bot_counts_daily "
            "WHERE day >= %(start)s AND day <= %(end)s "
            "AND (%(site)s::text IS NULL OR container_id = %(site)s) "
            "ORDER BY day DESC, container_id",
            {"start": start, "end": end, "site": container_id},
        )
        return await cur.fetchall()
