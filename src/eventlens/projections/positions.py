"""Where each projection has read up to, stored beside its read models.

Positions live in `public` even while a replay builds read models in a schema of its own.
A batch's read-model changes and its new positions commit in one transaction. Saving is a
compare-and-set on the positions the batch started from, so a worker that lost its Kafka
partitions mid-batch (another worker already moved on) rolls back instead of counting twice.
"""

from __future__ import annotations

import psycopg

DDL = """
CREATE TABLE IF NOT EXISTS public.projection_positions (
    projection  text NOT NULL,
    source      text NOT NULL,
    position    bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, source)
);
CREATE TABLE IF NOT EXISTS public.replay_runs (
    projection    text PRIMARY KEY,
    state         text NOT NULL,
    events_done   bigint NOT NULL,
    events_total  bigint NOT NULL,
    rate          double precision NOT NULL,
    eta_seconds   double precision,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
"""


class PositionConflict(Exception):
    """Another worker recorded progress for these sources first."""


def load_positions(conn: psycopg.Connection, projection: str) -> dict[str, int]:
    rows = conn.execute(
        "SELECT source, position FROM public.projection_positions WHERE projection = %s",
        (projection,),
    ).fetchall()
    return {source: position for source, position in rows}


def save_positions(
    conn: psycopg.Connection,
    projection: str,
    start: dict[str, int | None],
    end: dict[str, int],
) -> None:
    for source, position in end.items():
        expected = start.get(source)
        if expected is None:
            cursor = conn.execute(
                "INSERT INTO public.projection_positions (projection, source, position) "
                "VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                (projection, source, position),
            )
        else:
            cursor = conn.execute(
                "UPDATE public.projection_positions SET position = %s, updated_at = now() "
                "WHERE projection = %s AND source = %s AND position = %s",
                (position, projection, source, expected),
            )
        if cursor.rowcount != 1:
            raise PositionConflict(f"{projection}: {source} moved past {expected} elsewhere")
