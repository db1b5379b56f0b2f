"""A read-only database role for analysts and dashboards (Grafana, psql, notebooks).

It may read every read model, and tables made later (a new schema's table, a rebuilt read
model), but not the write side or the secrets: the event store's log, the catalog's history
(it holds password hashes), the token-signing key, the sign-in failures and the refresh
tokens. With the owner's credentials instead, an analyst could forge an admin's token or
rewrite history.

A session may change its own settings, so its limits do not rest on them. Read-only is a
matter of privileges: only SELECT is granted, no CREATE anywhere, no temporary tables, no large
objects, so a session that turns `default_transaction_read_only` off can still write nothing.
PostgreSQL has no statement timeout a role cannot lift, so the process that owns the database
cancels the analyst's statements that run past the limit, and ends its transactions left open
past it (they hold locks a replay's swap waits for): `stop_overrunning_sessions`.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

ANALYST_ROLE = "eventlens_analyst"
TIME_LIMIT = 60  # seconds: the longest statement, and the longest idle open transaction
# What an analyst's session starts with: reads only, and nothing longer than the limit.
SESSION_SETTINGS = {
    "default_transaction_read_only": "on",
    "statement_timeout": f"{TIME_LIMIT}s",
    "idle_in_transaction_session_timeout": f"{TIME_LIMIT}s",
}
# Functions that write large objects, which every role may call unless revoked.
LARGE_OBJECT_WRITERS = ("lo_create(oid)", "lo_creat(integer)", "lo_from_bytea(oid, bytea)")
OVERRUNNING = """
SELECT CASE WHEN state = 'active' THEN pg_cancel_backend(pid) ELSE pg_terminate_backend(pid) END
FROM pg_stat_activity
WHERE usename = %(role)s
  AND pid <> pg_backend_pid()
  AND ((state = 'active' AND clock_timestamp() - query_start > make_interval(secs => %(limit)s))
    OR (state LIKE 'idle in transaction%%'
        AND clock_timestamp() - state_change > make_interval(secs => %(limit)s)))
"""


def ensure_analyst_role(database_url: str, password: str, private_tables: Iterable[str]) -> None:
    """Create (or update) the role with `password`, and grant it every table of schema
    `public` except `private_tables`. Idempotent; run after the private tables exist."""
    private = set(private_tables)
    role = sql.Identifier(ANALYST_ROLE)
    with psycopg.connect(database_url, autocommit=True) as conn:
        # Several processes may start together; role DDL is not race-free.
        conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-analyst-role'))")
        try:
            with conn.transaction():
                exists = conn.execute(
                    "SELECT 1 FROM pg_roles WHERE rolname = %s", (ANALYST_ROLE,)
                ).fetchone()
                verb = "ALTER" if exists else "CREATE"
                conn.execute(
                    sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(role, sql.Literal(password))
                )
                for name, value in SESSION_SETTINGS.items():
                    conn.execute(
                        sql.SQL("ALTER ROLE {} SET {} = {}").format(
                            role, sql.Identifier(name), sql.Literal(value)
                        )
                    )
                database = conn.info.dbname
                conn.execute(
                    sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                        sql.Identifier(database), role
                    )
                )
                conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
                _deny_writes_beyond_tables(conn, role)
                # Tables this (owning) role makes from now on: read models rebuilt by replay,
                # each new schema's table.
                conn.execute(
                    sql.SQL("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO {}").format(role)
                )
                tables = [
                    row[0]
                    for row in conn.execute(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    )
                ]
                grant, revoke = (
                    sql.SQL("GRANT SELECT ON {} TO {}"),
                    sql.SQL("REVOKE ALL ON {} FROM {}"),
                )
                for table in tables:
                    action = revoke if table in private else grant
                    conn.execute(action.format(sql.Identifier("public", table), role))
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-analyst-role'))")


def _deny_writes_beyond_tables(conn: psycopg.Connection, role: sql.Identifier) -> None:
    """What a session could still write with read-only mode turned off and SELECT only:
    temporary tables, tables in a schema it may create in, large objects. Every other role
    of this database is the owner (a superuser), which these do not restrict."""
    database = sql.Identifier(conn.info.dbname)
    conn.execute(sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM PUBLIC").format(database))
    conn.execute(sql.SQL("REVOKE TEMPORARY ON DATABASE {} FROM {}").format(database, role))
    conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    for function in LARGE_OBJECT_WRITERS:
        conn.execute(sql.SQL(f"REVOKE EXECUTE ON FUNCTION {function} FROM PUBLIC"))


def stop_overrunning_sessions(conn: psycopg.Connection, limit: float = TIME_LIMIT) -> int:
    """Cancel the analyst's statements running longer than `limit` seconds and end its
    transactions idle for longer; how many. Run as the owner, every few seconds."""
    rows = conn.execute(OVERRUNNING, {"role": ANALYST_ROLE, "limit": limit}).fetchall()
    return len(rows)
