"""`rejected_events`: events that failed the catalog or schema checks, with the reasons;
`bot_counts_daily`: how many events bots sent, per site and day.

A bot's events are kept in the event store like every rejected event, but the read models
only count them: crawlers can send more than every visitor together, and nobody re-processes
them one by one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import orjson
import psycopg

from eventlens.eventstore.port import CATALOG_STREAM, REJECTED_STREAM, StoredRecord
from eventlens.projections.expiry import Expiry, expiry_of, remove_expired_rejected

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
CREATE TABLE IF NOT EXISTS bot_counts_daily (
    day           date NOT NULL,
    container_id  text NOT NULL DEFAULT '',
    events        bigint NOT NULL,
    PRIMARY KEY (day, container_id)
);
"""
BOT = "bot"
COUNT_BOTS = """
INSERT INTO bot_counts_daily (day, container_id, events)
SELECT * FROM unnest(%s::date[], %s::text[], %s::bigint[])
ON CONFLICT (day, container_id) DO UPDATE SET events = bot_counts_daily.events + excluded.events
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
    version = 1  # raise on a change to the read models (projections/versions.py)
    bulk_load_indexes: tuple[str, ...] = ()
    # The catalog too, for the sites' retention expiries.
    streams: tuple[str, ...] = (CATALOG_STREAM, REJECTED_STREAM)

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)

    def prepare(self, records: Sequence[StoredRecord]) -> Sequence[StoredRecord]:
        return records

    def apply(self, conn: psycopg.Connection, records: Sequence[StoredRecord]) -> None:
        payloads: list[str] = []
        bots: Counter[tuple[str, str]] = Counter()
        expiries: list[Expiry] = []
        for record in records:
            if record.stream == CATALOG_STREAM:
                expiry = expiry_of(orjson.loads(record.payload))
                if expiry is not None:
                    expiries.append(expiry)
                continue
            if record.stream != REJECTED_STREAM:
                continue
            if b'"bot"' in record.payload:  # cheap first look; parsed only then
                data = orjson.loads(record.payload)
                if [reason["code"] for reason in data["reasons"]] == [BOT]:
                    bots[(data["received_at"][:10], data.get("container_id") or "")] += 1
                    continue
            payloads.append(record.payload.decode())
        if payloads:
            conn.execute(INSERT, (payloads,))
        if bots:
            keys = sorted(bots)  # in key order, so concurrent workers lock rows alike
            conn.execute(
                COUNT_BOTS,
                ([k[0] for k in keys], [k[1] for k in keys], [bots[k] for k in keys]),
            )
        remove_expired_rejected(conn, expiries)
