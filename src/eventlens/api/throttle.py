"""Login throttling: after repeated failures a username at an address, or an address, must wait.

Failures are kept in PostgreSQL, so every API process (and every replica) counts the same
attempts: serving from several processes must not multiply an attacker's guesses. Sign-ins
are rare, so the round trip costs nothing that matters.
"""

from __future__ import annotations

from typing import Any

import psycopg

WINDOW = 300.0
MAX_FAILURES = 5

DDL = """
CREATE TABLE IF NOT EXISTS eventlens_login_failures (
    key       text NOT NULL,
    failed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS eventlens_login_failures_key
    ON eventlens_login_failures (key, failed_at);
"""


def create_login_throttle_table(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-login-failures'))")
        try:
            conn.execute(DDL)
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-login-failures'))")


def password_keys(username: str, client: str) -> tuple[str, str]:
    """What a password check of `username` from `client` counts against: the pair, so that
    failures from one address do not lock the user out everywhere, and the address, so that
    one address cannot try many users."""
    return (f"user-client:{username.lower()}|{client}", f"client:{client}")


class LoginThrottle:
    def __init__(self, pool: Any, max_failures: int = MAX_FAILURES, window: float = WINDOW) -> None:
        self._pool = pool  # psycopg_pool.AsyncConnectionPool
        self._max = max_failures
        self._window = window

    async def reserve(self, *keys: str) -> int:
        """Count this attempt as failed (until `succeeded`), if it may be made at all.

        Returns 0 when it may, else the seconds until it may: once a key has `max_failures`
        within the window, until the oldest of them leaves it. Checking and counting happen
        under a lock per key, so a burst of parallel attempts gets no more guesses than the
        same attempts made one after another.
        """
        async with self._pool.connection() as conn, conn.transaction():
            for key in sorted(keys):
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext(%s))", (f"eventlens-login:{key}",)
                )
            cursor = await conn.execute(
                "SELECT max(wait) FROM ("
                "  SELECT %(window)s - extract(epoch FROM clock_timestamp() - min(failed_at))"
                "         AS wait"
                "  FROM eventlens_login_failures"
                "  WHERE key = ANY(%(keys)s)"
                "    AND failed_at > clock_timestamp() - make_interval(secs => %(window)s)"
                "  GROUP BY key HAVING count(*) >= %(max)s"
                ") AS blocked",
                {"keys": list(keys), "window": self._window, "max": self._max},
            )
            row = await cursor.fetchone()
            wait = float(row[0]) if row and row[0] is not None else 0.0
            if wait > 0:
                return int(wait) + 1
            # Forget what left the window, so the table stays as small as the attempts in it.
            await conn.execute(
                "DELETE FROM eventlens_login_failures "
                "WHERE failed_at < clock_timestamp() - make_interval(secs => %s)",
                (self._window,),
            )
            await conn.execute(
                "INSERT INTO eventlens_login_failures (key) SELECT unnest(%s::text[])",
                (list(keys),),
            )
        return 0

    async def succeeded(self, *keys: str) -> None:
        async with self._pool.connection() as conn:
            await conn.execute(
                "DELETE FROM eventlens_login_failures WHERE key = ANY(%s)", (list(keys),)
            )
