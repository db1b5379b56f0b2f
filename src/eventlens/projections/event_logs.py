"""`event_logs`: the master log, one row per tracked event."""

from __future__ import annotations

from collections.abc import Sequence

import orjson
import psycopg

from eventlens.eventstore.port import TRACKED_STREAM, StoredRecord

DDL = """
CREATE TABLE IF NOT EXISTS event_logs (
    event_id      uuid PRIMARY KEY,
    schema_id     text NOT NULL,
    container_id  text,
    event_type    text NOT NULL,
    user_id       text,
    session_id    text,
    "timestamp"   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL,
    properties    jsonb NOT NULL DEFAULT '{}',
    metadata      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS event_logs_received_at ON event_logs (received_at DESC);
CREATE INDEX IF NOT EXISTS event_logs_schema_time ON event_logs (schema_id, "timestamp" DESC);
"""

INSERT = """
INSERT INTO event_logs (event_id, schema_id, container_id, event_type, user_id, session_id,
                        "timestamp", received_at, properties, metadata)
SELECT (d->>'event_id')::uuid, d->>'schema_id', d->>'container_id', d->>'event_type',
       d->>'user_id', d->>'session_id',
       coalesce((d->>'timestamp')::timestamptz, (d->>'received_at')::timestamptz),
       (d->>'received_at')::timestamptz,
       coalesce(d->'properties', '{}'), coalesce(d->'metadata', '{}')
FROM unnest(%s::jsonb[]) AS t(d)
ON CONFLICT (event_id) DO NOTHING
"""


class EventLogs:
    name = "event_logs"
    streams: tuple[str, ...] = (TRACKED_STREAM,)

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)

    def apply(self, conn: psycopg.Connection, records: Sequence[StoredRecord]) -> None:
        payloads = [r.payload.decode() for r in records if r.stream == TRACKED_STREAM]
        if payloads:
            conn.execute(INSERT, (payloads,))


def row_dict(payload: bytes) -> dict[str, object]:
    data: dict[str, object] = orjson.loads(payload)
    return data
