"""The tracked-events projection: the master log, per-schema tables and the stats rollups.

`event_logs` is partitioned by schema, and each partition is that schema's table,
`events_<schema>`: every event is written once and is in both, the master log and its
schema's table, at the cost of one write. One transaction per batch also updates the
rollups, driven by the rows that were *newly* inserted (the key is the schema and event id),
so an event delivered twice (a client retry in Kafka mode, a replayed batch) is counted once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import orjson
import psycopg
from psycopg import sql

from eventlens.eventstore.port import CATALOG_STREAM, TRACKED_STREAM, StoredRecord
from eventlens.projections.distinct_count import Sketch

EVENT_COLUMNS = """
    event_id      uuid NOT NULL,
    schema_id     text NOT NULL,
    container_id  text,
    event_type    text NOT NULL,
    user_id       text,
    session_id    text,
    "timestamp"   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL,
    properties    jsonb NOT NULL DEFAULT '{}',
    metadata      jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (schema_id, event_id)
"""

# Indexes on the parent are created on every partition (schema table) too.
DDL = f"""
CREATE TABLE IF NOT EXISTS event_logs ({EVENT_COLUMNS}) PARTITION BY LIST (schema_id);
CREATE INDEX IF NOT EXISTS event_logs_received_at ON event_logs (received_at DESC, event_id DESC);
CREATE INDEX IF NOT EXISTS event_logs_time ON event_logs ("timestamp" DESC);
CREATE INDEX IF NOT EXISTS event_logs_session ON event_logs (session_id);
CREATE INDEX IF NOT EXISTS event_logs_user ON event_logs (user_id);
"""

ROLLUPS = ("stats_minutely", "stats_hourly", "stats_daily")

ROLLUP_DDL = (
    "".join(
        f"""
CREATE TABLE IF NOT EXISTS {table} (
    bucket        timestamptz NOT NULL,
    schema_id     text NOT NULL,
    container_id  text NOT NULL DEFAULT '',
    event_type    text NOT NULL,
    events        bigint NOT NULL,
    PRIMARY KEY (bucket, schema_id, container_id, event_type)
);
CREATE INDEX IF NOT EXISTS {table}_schema_bucket ON {table} (schema_id, bucket);
CREATE INDEX IF NOT EXISTS {table}_container_bucket ON {table} (container_id, bucket);
"""
        for table in ROLLUPS
    )
    + """
CREATE TABLE IF NOT EXISTS stats_daily_dimensions (
    day           date NOT NULL,
    schema_id     text NOT NULL,
    container_id  text NOT NULL DEFAULT '',
    dimension     text NOT NULL,
    value         text NOT NULL,
    events        bigint NOT NULL,
    PRIMARY KEY (day, schema_id, container_id, dimension, value)
);
CREATE TABLE IF NOT EXISTS stats_daily_uniques (
    day           date NOT NULL,
    schema_id     text NOT NULL,
    container_id  text NOT NULL DEFAULT '',
    sessions      bytea NOT NULL,
    users         bytea NOT NULL,
    PRIMARY KEY (day, schema_id, container_id)
);
"""
)

# Inserts a batch into the master log (and so into each schema's partition) and, in the
# same statement, adds the rows really inserted (not the duplicates) to the rollups. Returns
# the distinct (day, schema, adaptor, session, user) of those rows for the unique counts.
INSERT_AND_ROLL_UP = (
    """
WITH new AS (
    INSERT INTO event_logs (event_id, schema_id, container_id, event_type, user_id, session_id,
                            "timestamp", received_at, properties, metadata)
    SELECT (d->>'event_id')::uuid, d->>'schema_id', d->>'container_id', d->>'event_type',
           d->>'user_id', d->>'session_id',
           coalesce((d->>'timestamp')::timestamptz, (d->>'received_at')::timestamptz),
           (d->>'received_at')::timestamptz,
           coalesce(d->'properties', '{}'), coalesce(d->'metadata', '{}')
    FROM (SELECT raw::jsonb AS d FROM unnest(%b::text[]) AS u(raw)) AS t
    ON CONFLICT (schema_id, event_id) DO NOTHING
    RETURNING schema_id, coalesce(container_id, '') AS container_id, event_type, user_id,
              session_id, "timestamp" AS ts,
              left(properties->>'page_path', 500) AS page,
              left(coalesce(properties->>'link_text', properties->>'href'), 500) AS link
)"""
    + "".join(
        f""",
{table} AS (
    INSERT INTO {table} (bucket, schema_id, container_id, event_type, events)
    SELECT date_trunc('{unit}', ts, 'UTC'), schema_id, container_id, event_type, count(*)
    FROM new GROUP BY 1, 2, 3, 4
    ON CONFLICT (bucket, schema_id, container_id, event_type)
    DO UPDATE SET events = {table}.events + excluded.events
)"""
        for table, unit in (
            ("stats_minutely", "minute"),
            ("stats_hourly", "hour"),
            ("stats_daily", "day"),
        )
    )
    + """,
dimensions AS (
    INSERT INTO stats_daily_dimensions (day, schema_id, container_id, dimension, value, events)
    SELECT (ts AT TIME ZONE 'UTC')::date, schema_id, container_id, dimension, value, count(*)
    FROM (
        SELECT ts, schema_id, container_id, 'page' AS dimension, page AS value FROM new
        WHERE event_type = 'page_view' AND page IS NOT NULL
        UNION ALL
        SELECT ts, schema_id, container_id, 'link', link FROM new
        WHERE event_type LIKE '%%click%%' AND link IS NOT NULL
    ) AS facts
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (day, schema_id, container_id, dimension, value)
    DO UPDATE SET events = stats_daily_dimensions.events + excluded.events
)
SELECT DISTINCT (ts AT TIME ZONE 'UTC')::date, schema_id, container_id, session_id, user_id
FROM new
"""
)


def schema_table(schema_id: str) -> sql.Identifier:
    """`events_<schema>`. Schema names are validated on registration (lowercase letters,
    digits, underscores, at most 40 characters), and the name is quoted regardless."""
    return sql.Identifier(f"events_{schema_id}")


def create_schema_table(conn: psycopg.Connection, schema_id: str) -> None:
    """The schema's table: its partition of `event_logs` (idempotent)."""
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {table} PARTITION OF event_logs FOR VALUES IN ({value})"
        ).format(table=schema_table(schema_id), value=sql.Literal(schema_id))
    )


class TrackedEvents:
    """Also follows the catalog, to create a schema's table when the schema is registered."""

    name = "events"
    streams: tuple[str, ...] = (CATALOG_STREAM, TRACKED_STREAM)

    def __init__(self) -> None:
        self._known_tables: set[str] = set()

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)
        conn.execute(ROLLUP_DDL)
        self._known_tables.clear()

    def apply(self, conn: psycopg.Connection, records: Sequence[StoredRecord]) -> None:
        for record in records:
            if record.stream == CATALOG_STREAM:
                notification = orjson.loads(record.payload)
                if notification["topic"].endswith("Schema.Registered"):
                    self._ensure_table(conn, notification["state"]["name"])
        payloads = [r.payload for r in records if r.stream == TRACKED_STREAM]
        if not payloads:
            return
        schema_ids = sorted({orjson.loads(p)["schema_id"] for p in payloads})
        for schema_id in schema_ids:
            self._ensure_table(conn, schema_id)
        rows = conn.execute(INSERT_AND_ROLL_UP, ([p.decode() for p in payloads],)).fetchall()
        if rows:
            self._count_uniques(conn, rows)

    def _ensure_table(self, conn: psycopg.Connection, schema_id: str) -> None:
        if schema_id not in self._known_tables:
            create_schema_table(conn, schema_id)
            self._known_tables.add(schema_id)

    def _count_uniques(self, conn: psycopg.Connection, rows: list[tuple]) -> None:  # type: ignore[type-arg]
        groups: dict[tuple[object, str, str], tuple[set[str], set[str]]] = defaultdict(
            lambda: (set(), set())
        )
        for day, schema_id, container_id, session_id, user_id in rows:
            sessions, users = groups[(day, schema_id, container_id)]
            if session_id:
                sessions.add(session_id)
            if user_id:
                users.add(user_id)
        for (day, schema_id, container_id), (sessions, users) in sorted(groups.items(), key=str):
            conn.execute(
                "INSERT INTO stats_daily_uniques VALUES (%s, %s, %s, '', '') "
                "ON CONFLICT DO NOTHING",
                (day, schema_id, container_id),
            )
            current = conn.execute(
                "SELECT sessions, users FROM stats_daily_uniques "
                "WHERE day = %s AND schema_id = %s AND container_id = %s FOR UPDATE",
                (day, schema_id, container_id),
            ).fetchone()
            assert current is not None
            session_sketch, user_sketch = Sketch.decode(current[0]), Sketch.decode(current[1])
            for value in sessions:
                session_sketch.add(value)
            for value in users:
                user_sketch.add(value)
            conn.execute(
                "UPDATE stats_daily_uniques SET sessions = %s, users = %s "
                "WHERE day = %s AND schema_id = %s AND container_id = %s",
                (session_sketch.encode(), user_sketch.encode(), day, schema_id, container_id),
            )
