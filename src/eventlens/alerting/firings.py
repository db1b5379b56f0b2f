"""The evaluator's own tables: `alert_firings` (each firing, open until resolved; the
dashboard's markers) and `alert_notifications` (an outbox: each message to send, per channel,
and whether it went).

Firings are state the evaluator decides from measurements, not facts a user asserted, so they
live in tables the evaluator owns rather than in the catalog's events: they are written only
while its advisory lock is held, in the same transaction as the messages they call for, and
the messages are sent after that commits. A process that dies between the commit and the
send leaves its messages pending; whoever evaluates next sends them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg import AsyncConnection
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

DDL = """
CREATE TABLE IF NOT EXISTS alert_firings (
    id            bigserial PRIMARY KEY,
    rule_id       uuid NOT NULL,
    container_id  text NOT NULL,
    rule_name     text NOT NULL,
    kind          text NOT NULL,
    started_at    timestamptz NOT NULL,
    resolved_at   timestamptz,
    observed      double precision NOT NULL,
    expected      double precision,
    direction     text,
    summary       text NOT NULL,
    announced     boolean NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS alert_firings_open ON alert_firings (rule_id)
    WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS alert_firings_site ON alert_firings (container_id, started_at);
CREATE TABLE IF NOT EXISTS alert_notifications (
    id            bigserial PRIMARY KEY,
    firing_id     bigint NOT NULL REFERENCES alert_firings (id),
    transition    text NOT NULL,
    channel       text NOT NULL,
    target        text NOT NULL,
    body          jsonb NOT NULL,
    status        text NOT NULL DEFAULT 'pending',
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text,
    created_at    timestamptz NOT NULL,
    sent_at       timestamptz
);
CREATE INDEX IF NOT EXISTS alert_notifications_pending ON alert_notifications (id)
    WHERE status = 'pending';
"""
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class FiringRow:
    id: int
    rule_id: UUID
    started_at: datetime
    announced: bool


@dataclass(frozen=True)
class Outgoing:
    id: int
    channel: str
    target: str
    body: dict[str, Any]
    attempts: int


async def open_firings(conn: AsyncConnection[Any]) -> dict[UUID, FiringRow]:
    cursor = await conn.execute(
        "SELECT id, rule_id, started_at, announced FROM alert_firings WHERE resolved_at IS NULL"
    )
    return {row[1]: FiringRow(*row) for row in await cursor.fetchall()}


async def last_announced(conn: AsyncConnection[Any]) -> dict[UUID, datetime]:
    cursor = await conn.execute(
        "SELECT rule_id, max(started_at) FROM alert_firings WHERE announced GROUP BY rule_id"
    )
    return {row[0]: row[1] for row in await cursor.fetchall()}


async def open_firing(
    conn: AsyncConnection[Any], rule: dict[str, Any], values: dict[str, Any]
) -> int:
    cursor = await conn.execute(
        "INSERT INTO alert_firings (rule_id, container_id, rule_name, kind, started_at, "
        "observed, expected, direction, summary, announced) VALUES (%(rule_id)s, "
        "%(container_id)s, %(name)s, %(kind)s, %(started_at)s, %(observed)s, %(expected)s, "
        "%(direction)s, %(summary)s, %(announced)s) RETURNING id",
        {**rule, **values},
    )
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def resolve_firing(conn: AsyncConnection[Any], firing_id: int, at: datetime) -> None:
    await conn.execute(
        "UPDATE alert_firings SET resolved_at = %s WHERE id = %s AND resolved_at IS NULL",
        (at, firing_id),
    )


async def queue(
    conn: AsyncConnection[Any],
    firing_id: int,
    transition: str,
    messages: list[tuple[str, str, dict[str, Any]]],
    at: datetime,
) -> None:
    """Messages (channel, target, body) to send once the transaction commits."""
    for channel, target, body in messages:
        await conn.execute(
            "INSERT INTO alert_notifications (firing_id, transition, channel, target, body, "
            "created_at) VALUES (%s, %s, %s, %s, %s, %s)",
            (firing_id, transition, channel, target, Jsonb(body), at),
        )


async def pending(conn: AsyncConnection[Any]) -> list[Outgoing]:
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(
            "SELECT id, channel, target, body, attempts FROM alert_notifications "
            "WHERE status = 'pending' ORDER BY id"
        )
        return [Outgoing(**row) for row in await cursor.fetchall()]


async def delivered(conn: AsyncConnection[Any], outgoing: Outgoing, at: datetime) -> None:
    await conn.execute(
        "UPDATE alert_notifications SET status = 'sent', sent_at = %s, "
        "attempts = attempts + 1 WHERE id = %s",
        (at, outgoing.id),
    )


async def failed(conn: AsyncConnection[Any], outgoing: Outgoing, error: str) -> None:
    """Retried at the next evaluations, up to MAX_ATTEMPTS in all."""
    status = "failed" if outgoing.attempts + 1 >= MAX_ATTEMPTS else "pending"
    await conn.execute(
        "UPDATE alert_notifications SET status = %s, attempts = attempts + 1, "
        "last_error = %s WHERE id = %s",
        (status, error[:500], outgoing.id),
    )


async def firings_between(
    conn: AsyncConnection[Any], container_id: str, first: datetime, last: datetime
) -> list[dict[str, Any]]:
    """The site's firings that overlap [first, last], oldest first (the dashboard's marks)."""
    async with conn.cursor(row_factory=dict_row) as cursor:
        await cursor.execute(
            "SELECT id, rule_id, rule_name, kind, started_at, resolved_at, observed, expected, "
            "direction, summary FROM alert_firings WHERE container_id = %s "
            "AND started_at <= %s AND (resolved_at IS NULL OR resolved_at >= %s) "
            "ORDER BY started_at, id LIMIT 500",
            (container_id, last, first),
        )
        return await cursor.fetchall()
