"""Retention in the read models: a site's `Retention.Expired` catalog event removes the rows
of its tracked and rejected events received before the bound, and its visits over by then.

The rollups (counts per minute, hour and day, the unique-visitor sketches, the Stats API's
visit and page rollups, bot counts) are kept: they hold counts, no identifier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg

Expiry = tuple[str, datetime]  # (container id, before)


def expiry_of(notification: Mapping[str, Any]) -> Expiry | None:
    """The site and bound a catalog notification expires, if it records an expiry."""
    if not str(notification["topic"]).endswith(":Retention.Expired"):
        return None
    state = notification["state"]
    return str(state["container_id"]), datetime.fromisoformat(str(state["before"]))


def remove_expired_events(conn: psycopg.Connection, expiries: Sequence[Expiry]) -> None:
    """`event_logs` (and so the per-schema tables, its partitions) and closed visits."""
    for container_id, before in expiries:
        conn.execute(
            "DELETE FROM event_logs WHERE container_id = %s AND received_at < %s",
            (container_id, before),
        )
        conn.execute(
            "DELETE FROM visits WHERE container_id = %s AND rolled AND ended_at < %s",
            (container_id, before),
        )


def remove_expired_rejected(conn: psycopg.Connection, expiries: Sequence[Expiry]) -> None:
    for container_id, before in expiries:
        conn.execute(
            "DELETE FROM rejected_events WHERE container_id = %s AND received_at < %s",
            (container_id, before),
        )
