"""Refresh-token families, kept in PostgreSQL so every API process agrees on them.

A sign-in starts a family; each refresh spends its token and hands out the next one of the
same family. A token spent once and presented again means two holders (a stolen copy): the
whole family ends, and both must sign in again. Signing out ends the family too.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Any

import psycopg

# Two tabs (or the dashboard and its GraphiQL page) whose timers fire together both present
# the same token: within this many seconds of its rotation, a second use is not a theft.
REUSE_GRACE = 10.0

DDL = """
CREATE TABLE IF NOT EXISTS eventlens_refresh_tokens (
    token_id   uuid PRIMARY KEY,
    family_id  uuid NOT NULL,
    username   text NOT NULL,
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz
);
CREATE INDEX IF NOT EXISTS eventlens_refresh_tokens_family
    ON eventlens_refresh_tokens (family_id);
"""

END_FAMILY = "DELETE FROM eventlens_refresh_tokens WHERE family_id = %s"


def create_refresh_token_table(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-refresh-tokens'))")
        try:
            conn.execute(DDL)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-refresh-tokens'))")


@dataclass(frozen=True, slots=True)
class Issued:
    token_id: str
    family_id: str


class Refusal(enum.Enum):
    UNKNOWN = "the refresh token is no longer valid; sign in again"
    REUSED = (
        "the refresh token was already used, so it may have been copied: every session of "
        "this sign-in has ended; sign in again"
    )


class RefreshTokens:
    def __init__(self, pool: Any, ttl: int, reuse_grace: float = REUSE_GRACE) -> None:
        self._pool = pool  # psycopg_pool.AsyncConnectionPool
        self._ttl = ttl
        self._grace = reuse_grace

    async def start_family(self, username: str) -> Issued:
        """A sign-in's first refresh token."""
        issued = Issued(str(uuid.uuid4()), str(uuid.uuid4()))
        async with self._pool.connection() as conn:
            # Forget what can no longer be presented: an expired token is refused unread.
            await conn.execute("DELETE FROM eventlens_refresh_tokens WHERE expires_at < now()")
            await self._insert(conn, issued, username)
        return issued

    async def rotate(self, token_id: str, family_id: str, username: str) -> Issued | Refusal:
        """Spend `token_id` for the next token of its family, or say why it cannot be."""
        try:
            token = uuid.UUID(token_id)
        except ValueError:
            return Refusal.UNKNOWN
        async with self._pool.connection() as conn, conn.transaction():
            cursor = await conn.execute(
                "SELECT family_id::text, username,"
                "       extract(epoch FROM clock_timestamp() - rotated_at)"
                " FROM eventlens_refresh_tokens"
                " WHERE token_id = %s AND expires_at > now() FOR UPDATE",
                (token,),
            )
            row = await cursor.fetchone()
            if row is None or row[0] != family_id or row[1] != username:
                return Refusal.UNKNOWN
            since_rotated = row[2]
            if since_rotated is not None and float(since_rotated) > self._grace:
                await conn.execute(END_FAMILY, (row[0],))
                return Refusal.REUSED
            if since_rotated is None:
                await conn.execute(
                    "UPDATE eventlens_refresh_tokens SET rotated_at = clock_timestamp()"
                    " WHERE token_id = %s",
                    (token,),
                )
            issued = Issued(str(uuid.uuid4()), family_id)
            await self._insert(conn, issued, username)
        return issued

    async def end_family(self, family_id: str) -> None:
        """Sign out: no token of the family refreshes any more."""
        try:
            family = uuid.UUID(family_id)
        except ValueError:
            return
        async with self._pool.connection() as conn:
            await conn.execute(END_FAMILY, (family,))

    async def _insert(self, conn: Any, issued: Issued, username: str) -> None:
        await conn.execute(
            "INSERT INTO eventlens_refresh_tokens (token_id, family_id, username, expires_at) "
            "VALUES (%s, %s, %s, now() + make_interval(secs => %s))",
            (issued.token_id, issued.family_id, username, self._ttl),
        )
