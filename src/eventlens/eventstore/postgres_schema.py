"""DDL of the PostgreSQL event store: one append-only log with a global order."""

from __future__ import annotations

from datetime import datetime

import psycopg

from eventlens.eventstore.port import REJECTED_STREAM, TRACKED_STREAM

LOG_TABLE = "eventstore_log"
NOTIFY_CHANNEL = "eventlens_log"
# Appends take this transaction-scoped advisory lock so that positions are assigned in
# commit order: a reader that has seen position N never later finds a smaller one appear.
APPEND_LOCK_KEY = 0x45564C4E  # "EVLN"


def notify_channel(stream: str) -> str:
    """The channel an append notifies for each stream it wrote to, so a reader wakes only for
    its own streams (a rejected-events reader woken by every tracked append would read
    nothing each time)."""
    return f"{NOTIFY_CHANNEL}:{stream}"


DDL = f"""
CREATE SEQUENCE IF NOT EXISTS {LOG_TABLE}_position_seq;
CREATE TABLE IF NOT EXISTS {LOG_TABLE} (
    position     bigint PRIMARY KEY,
    stream       text NOT NULL,
    event_id     uuid NOT NULL,
    partition_key text NOT NULL,
    payload      text NOT NULL,  -- JSON; text is cheaper to write and read than jsonb
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS {LOG_TABLE}_stream_position ON {LOG_TABLE} (stream, position);
-- An event id is recorded once per stream: a rejected event that is later re-processed is
-- appended, with the same id, to the tracked stream.
CREATE UNIQUE INDEX IF NOT EXISTS {LOG_TABLE}_stream_event ON {LOG_TABLE} (stream, event_id);

-- One append, one statement: the lock that orders positions by commit, the insert and the
-- wake-up of the readers of each stream written to. As a single call in autocommit mode it
-- costs one round trip and little client work, far less than a pipelined
-- BEGIN/lock/INSERT/NOTIFY/COMMIT (docs/BENCHMARKS.md, "Group commit as one SQL function call").
CREATE OR REPLACE FUNCTION {LOG_TABLE}_append(
    streams text[], event_ids uuid[], partition_keys text[], payloads text[]
) RETURNS integer
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock({APPEND_LOCK_KEY});
    SELECT pg_notify('{notify_channel("")}' || stream, '')
    FROM (SELECT DISTINCT stream FROM unnest(streams) AS stream) AS written;
    WITH inserted AS (
        INSERT INTO {LOG_TABLE} (position, stream, event_id, partition_key, payload)
        SELECT nextval('{LOG_TABLE}_position_seq'), s, e, k, p
        FROM unnest(streams, event_ids, partition_keys, payloads) AS t(s, e, k, p)
        ON CONFLICT (stream, event_id) DO NOTHING
        RETURNING 1
    )
    SELECT count(*)::integer FROM inserted;
$$;

-- The one exception: {LOG_TABLE}_expire, which deletes a site's tracked and rejected events
-- received before its retention bound, flags its own transaction so that those deletes pass.
CREATE OR REPLACE FUNCTION eventlens_forbid_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Nested: PL/pgSQL does not stop at a false AND before reading OLD's fields.
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = '{LOG_TABLE}' THEN
        IF current_setting('eventlens.expiring', true) = 'on'
            AND OLD.stream IN ('{TRACKED_STREAM}', '{REJECTED_STREAM}') THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'the event store is append-only: % on % is not allowed',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION {LOG_TABLE}_expire(site text, before timestamptz) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    removed bigint;
BEGIN
    PERFORM set_config('eventlens.expiring', 'on', true);
    DELETE FROM {LOG_TABLE}
    WHERE stream IN ('{TRACKED_STREAM}', '{REJECTED_STREAM}')
      AND payload::json ->> 'container_id' = site
      AND (payload::json ->> 'received_at')::timestamptz < before;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('eventlens.expiring', 'off', true);
    RETURN removed;
END
$$;
"""  # noqa: S608 - built from this module's constants only


_TRIGGERS = """
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '@table@_no_change') THEN
        CREATE TRIGGER @table@_no_change BEFORE UPDATE OR DELETE ON @table@
            FOR EACH ROW EXECUTE FUNCTION eventlens_forbid_change();
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '@table@_no_truncate') THEN
        CREATE TRIGGER @table@_no_truncate BEFORE TRUNCATE ON @table@
            FOR EACH STATEMENT EXECUTE FUNCTION eventlens_forbid_change();
    END IF;
END $$;
"""


def immutability_triggers(table: str) -> str:
    """Triggers that make a table append-only: no UPDATE, DELETE or TRUNCATE can succeed.

    `table` is one of this package's own table names, never user input.
    """
    return _TRIGGERS.replace("@table@", table)


def create_event_store_schema(conninfo: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # Serialise concurrent start-ups: CREATE ... IF NOT EXISTS is not race-free.
        conn.execute("SELECT pg_advisory_lock(%s)", (APPEND_LOCK_KEY + 1,))
        try:
            conn.execute(DDL)
            conn.execute(immutability_triggers(LOG_TABLE))
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (APPEND_LOCK_KEY + 1,))


def expire_events(conninfo: str, container_id: str, before: datetime) -> int:
    """Delete the site's tracked and rejected events received before `before` from the log:
    the only delete its triggers let through. Returns how many were deleted."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(
            f"SELECT {LOG_TABLE}_expire(%s, %s)",
            (container_id, before),
        ).fetchone()
    return int(row[0]) if row else 0
