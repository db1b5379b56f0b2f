"""Where the platform's PostgreSQL is: configured, or the embedded server."""

from __future__ import annotations

from typing import Any

import psycopg

from eventlens.config import Settings


def resolve_database(settings: Settings) -> tuple[str, bool]:
    """The configured database, or the embedded server in the data directory (started unless
    it runs already); and whether this call started that server, and so must stop it."""
    if settings.database_url:
        return settings.database_url, False
    from eventlens import embedded_postgres

    server = embedded_postgres.start(settings.data_dir, settings.embedded_pg_port)
    return server.dsn, server.started


def resolve_database_url(settings: Settings) -> str:
    return resolve_database(settings)[0]


def stop_embedded_postgres(settings: Settings) -> None:
    from eventlens import embedded_postgres

    embedded_postgres.stop(settings.data_dir)


async def configure_reads(conn: psycopg.AsyncConnection[Any]) -> None:
    """The API's queries read small rollups: starting parallel workers costs them more
    than it saves, and takes cores from ingest and projection."""
    await conn.execute("SET max_parallel_workers_per_gather = 0")
    await conn.commit()
