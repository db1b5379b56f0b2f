"""The token-signing key shared by every API process and replica."""

from __future__ import annotations

import psycopg

SECRETS_DDL = (
    "CREATE TABLE IF NOT EXISTS eventlens_secrets (name text PRIMARY KEY, value text NOT NULL)"
)


def shared_secret(database_url: str, configured: str | None) -> str:
    """The token-signing key: configured, or generated once and shared through the database
    so that every API replica signs and verifies with the same key."""
    if configured:
        return configured
    import secrets

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(SECRETS_DDL)
        conn.execute(
            "INSERT INTO eventlens_secrets VALUES ('token_key', %s) ON CONFLICT DO NOTHING",
            (secrets.token_urlsafe(48),),
        )
        row = conn.execute(
            "SELECT value FROM eventlens_secrets WHERE name = 'token_key'"
        ).fetchone()
    assert row is not None
    return str(row[0])
