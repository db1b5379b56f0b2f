"""A read-only database role for analysts and dashboards (Grafana, psql, notebooks).

It may read every read model, and tables made later (a new schema's table, a rebuilt read
model), but not the write side or the secrets: the event store's log, the catalog's history
(it holds password hashes), the token-signing key and the sign-in failures. With the owner's
credentials instead, an analyst could forge an admin's token or rewrite history.
"""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg import sql

ANALYST_ROLE = "eventlens_analyst"
# Statements an analyst's session runs: reads only, and none longer than a minute.
SESSION_SETTINGS = {"default_transaction_read_only": "on", "statement_timeout": "60s"}


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
