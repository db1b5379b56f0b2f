"""Current visitors: the distinct visitors of a site in the last five minutes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from psycopg import AsyncConnection

from eventlens.domain.stats_query import Site

WINDOW = timedelta(minutes=5)

# By arrival (server time), which the index on received_at serves; a visitor is its visitor
# id, else the session or user its client named.
CURRENT_VISITORS = """
SELECT count(DISTINCT coalesce(visitor_id, session_id, user_id))
FROM event_logs
WHERE schema_id = %(schema)s AND container_id = %(site)s AND received_at > %(since)s
"""


async def current_visitors(conn: AsyncConnection[Any], site: Site, now: datetime) -> int:
    cursor = await conn.execute(
        CURRENT_VISITORS,
        {"schema": site.schema_id, "site": site.container_id, "since": now - WINDOW},
    )
    row = await cursor.fetchone()
    return int(row[0]) if row else 0
