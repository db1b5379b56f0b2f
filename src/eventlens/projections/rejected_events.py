"""`rejected_events`: events that failed the catalog or schema checks, with the reasons."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from eventlens.eventstore.port import REJECTED_STREAM, StoredRecord

DDL = """
CREATE TABLE IF NOT EXISTS rejected_events (
    event_id      uuid PRIMARY KEY,
    schema_id     text,
    container_id  text,
    event_type    text,
    received_at   timestamptz NOT NULL,
    reasons       jsonb NOT NULL,
    reason_codes  text[] NOT NULL,
    payload       jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS rejected_events_received_at ON rejected_events (received_at DESC);
CREATE INDEX IF NOT EXISTS rejected_events_schema ON rejected_events (schema_id, received_at DESC);
"""

INSERT = """
INSERT INTO rejected_events (event_id, schema_id, container_id, event_type, received_at,
                             reasons, reason_codes, payload)
SELECT (d->>'event_id')::uuid, d->>'schema_id', d->>'container_id', d->>'event_type',
       (d->>'received_at')::timestamptz, d->'reasons',
       ARRAY(SELECT r->>'code' FROM jsonb_array_elements(d->'reasons') AS r),
       d - 'reasons'
FROM (SELECT raw::jsonb AS d FROM unnest(%b::text[]) AS u(raw)) AS t
ON CONFLICT (event_id) DO NOTHING
"""


class RejectedEvents:
    name = "rejected_events"
    bulk_load_indexes: tuple[str, ...] = ()
    streams: tuple[str, ...] = (REJECTED_STREAM,)

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)

    def prepare(self, records: Sequence[StoredRecord]) -> Sequence[StoredRecord]:
        return records

    def apply(self, conn: psycopg.Connection, records: Sequence[StoredRecord]) -> None:
        payloads = [r.payload.decode() for r in records if r.stream == REJECTED_STREAM]
        if payloads:
            conn.execute(INSERT, (payloads,))
