"""Which definition of each projection built its read models.

A projection's `version` changes when its read models change shape or meaning. The version
that built the live tables is recorded beside their positions; workers that start with a
newer definition rebuild the projection by replay (blue/green) before applying to it.
"""

from __future__ import annotations

from typing import Any

import psycopg

from eventlens.projections import positions

DDL = """
CREATE TABLE IF NOT EXISTS public.projection_versions (
    projection  text PRIMARY KEY,
    version     integer NOT NULL,
    built_at    timestamptz NOT NULL DEFAULT now()
);
"""
# Read models built before versions were recorded were built by the first definition.
UNRECORDED = 1


def built_version(conn: psycopg.Connection[Any], projection: str) -> int | None:
    """The version that built the live read models; None when nothing is built yet."""
    conn.execute(DDL)
    conn.execute(positions.DDL)
    row = conn.execute(
        "SELECT version FROM public.projection_versions WHERE projection = %s", (projection,)
    ).fetchone()
    if row is not None:
        return int(row[0])
    built = conn.execute(
        "SELECT EXISTS (SELECT FROM public.projection_positions WHERE projection = %s)",
        (projection,),
    ).fetchone()
    return UNRECORDED if built and built[0] else None


def record_version(
    conn: psycopg.Connection[Any], projection: str, version: int, *, replace: bool = True
) -> None:
    """Record the version that built the live read models (`replace=False`: unless one is)."""
    conn.execute(DDL)
    conn.execute(
        "INSERT INTO public.projection_versions (projection, version) VALUES (%s, %s) "
        "ON CONFLICT (projection) DO UPDATE SET version = excluded.version, built_at = now() "
        "WHERE %s",
        (projection, version, replace),
    )
