"""The tracked-events projection: the master log, per-schema tables and the stats rollups.

One projection writes them all in one transaction per batch, driven by the rows that were
*newly* inserted into `event_logs` (its primary key is the event id), so an event delivered
twice (a client retry in Kafka mode, a replayed batch) is counted once everywhere.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime

import psycopg
from psycopg import sql

from eventlens.eventstore.port import TRACKED_STREAM, StoredRecord
from eventlens.projections.distinct_count import Sketch

EVENT_COLUMNS = """
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
"""

DDL = f"""
CREATE TABLE IF NOT EXISTS event_logs ({EVENT_COLUMNS});
CREATE INDEX IF NOT EXISTS event_logs_received_at ON event_logs (received_at DESC, event_id DESC);
CREATE INDEX IF NOT EXISTS event_logs_schema_time ON event_logs (schema_id, "timestamp" DESC);
CREATE INDEX IF NOT EXISTS event_logs_container_time ON event_logs (container_id, "timestamp" DESC);
CREATE INDEX IF NOT EXISTS event_logs_type_time ON event_logs (event_type, "timestamp" DESC);
CREATE INDEX IF NOT EXISTS event_logs_time ON event_logs ("timestamp" DESC);
CREATE INDEX IF NOT EXISTS event_logs_session ON event_logs (session_id);
CREATE INDEX IF NOT EXISTS event_logs_user ON event_logs (user_id);
"""

ROLLUPS = ("stats_minutely", "stats_hourly", "stats_daily")
ROLLUP_UNITS = {"stats_minutely": "minute", "stats_hourly": "hour", "stats_daily": "day"}

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

INSERT_LOG = """
INSERT INTO event_logs (event_id, schema_id, container_id, event_type, user_id, session_id,
                        "timestamp", received_at, properties, metadata)
SELECT (d->>'event_id')::uuid, d->>'schema_id', d->>'container_id', d->>'event_type',
       d->>'user_id', d->>'session_id',
       coalesce((d->>'timestamp')::timestamptz, (d->>'received_at')::timestamptz),
       (d->>'received_at')::timestamptz,
       coalesce(d->'properties', '{}'), coalesce(d->'metadata', '{}')
FROM unnest(%s::jsonb[]) AS t(d)
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id, schema_id, coalesce(container_id, ''), event_type, user_id, session_id,
          "timestamp" AT TIME ZONE 'UTC',
          left(properties->>'page_path', 500),
          left(coalesce(properties->>'link_text', properties->>'href'), 500)
"""

UPSERT_DIMENSIONS = """
INSERT INTO stats_daily_dimensions (day, schema_id, container_id, dimension, value, events)
SELECT * FROM unnest(%s::date[], %s::text[], %s::text[], %s::text[], %s::text[], %s::bigint[])
ON CONFLICT (day, schema_id, container_id, dimension, value)
DO UPDATE SET events = stats_daily_dimensions.events + excluded.events
"""

UPSERT_ROLLUP = """
INSERT INTO {table} (bucket, schema_id, container_id, event_type, events)
SELECT b AT TIME ZONE 'UTC', s, c, t, n
FROM unnest(%s::timestamp[], %s::text[], %s::text[], %s::text[], %s::bigint[]) AS u(b, s, c, t, n)
ON CONFLICT (bucket, schema_id, container_id, event_type)
DO UPDATE SET events = {table}.events + excluded.events
"""


def schema_table(schema_id: str) -> sql.Identifier:
    """`events_<schema>`. Schema names are validated on registration (lowercase letters,
    digits, underscores, at most 40 characters), and the name is quoted regardless."""
    return sql.Identifier(f"events_{schema_id}")


def create_schema_table(conn: psycopg.Connection, schema_id: str) -> None:
    conn.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {table} ("
            + EVENT_COLUMNS.replace("{", "{{").replace("}", "}}")
            + ");"
            'CREATE INDEX IF NOT EXISTS {index} ON {table} ("timestamp" DESC)'
        ).format(table=schema_table(schema_id), index=sql.Identifier(f"events_{schema_id}_time"))
    )


class TrackedEvents:
    name = "events"
    streams: tuple[str, ...] = (TRACKED_STREAM,)

    def __init__(self) -> None:
        self._known_tables: set[str] = set()

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)
        conn.execute(ROLLUP_DDL)
        self._known_tables.clear()

    def apply(self, conn: psycopg.Connection, records: Sequence[StoredRecord]) -> None:
        payloads = [r.payload.decode() for r in records if r.stream == TRACKED_STREAM]
        if not payloads:
            return
        rows = conn.execute(INSERT_LOG, (payloads,)).fetchall()
        if not rows:
            return
        self._copy_to_schema_tables(conn, rows)
        self._roll_up(conn, rows)
        self._roll_up_dimensions(conn, rows)
        self._count_uniques(conn, rows)

    def _copy_to_schema_tables(self, conn: psycopg.Connection, rows: list[tuple]) -> None:  # type: ignore[type-arg]
        by_schema: dict[str, list[object]] = defaultdict(list)
        for row in rows:
            by_schema[row[1]].append(row[0])
        for schema_id, ids in by_schema.items():
            if schema_id not in self._known_tables:
                create_schema_table(conn, schema_id)
                self._known_tables.add(schema_id)
            conn.execute(
                sql.SQL(
                    "INSERT INTO {} SELECT * FROM event_logs WHERE event_id = ANY(%s) "
                    "ON CONFLICT (event_id) DO NOTHING"
                ).format(schema_table(schema_id)),
                (ids,),
            )

    def _roll_up(self, conn: psycopg.Connection, rows: list[tuple]) -> None:  # type: ignore[type-arg]
        for table in ROLLUPS:
            unit = ROLLUP_UNITS[table]
            counts: Counter[tuple[datetime, str, str, str]] = Counter(
                (_truncate(row[6], unit), row[1], row[2], row[3]) for row in rows
            )
            keys = list(counts)
            conn.execute(
                sql.SQL(UPSERT_ROLLUP).format(table=sql.Identifier(table)),
                (
                    [k[0] for k in keys],
                    [k[1] for k in keys],
                    [k[2] for k in keys],
                    [k[3] for k in keys],
                    [counts[k] for k in keys],
                ),
            )

    def _roll_up_dimensions(self, conn: psycopg.Connection, rows: list[tuple]) -> None:  # type: ignore[type-arg]
        """Top pages (page views by path) and top links (clicks by link text)."""
        counts: Counter[tuple[object, str, str, str, str]] = Counter()
        for row in rows:
            day, schema_id, container_id, event_type = row[6].date(), row[1], row[2], row[3]
            if event_type == "page_view" and row[7]:
                counts[(day, schema_id, container_id, "page", row[7])] += 1
            elif "click" in event_type and row[8]:
                counts[(day, schema_id, container_id, "link", row[8])] += 1
        if counts:
            keys = sorted(counts, key=str)
            columns = [[k[i] for k in keys] for i in range(5)]
            conn.execute(UPSERT_DIMENSIONS, (*columns, [counts[k] for k in keys]))

    def _count_uniques(self, conn: psycopg.Connection, rows: list[tuple]) -> None:  # type: ignore[type-arg]
        groups: dict[tuple[object, str, str], tuple[set[str], set[str]]] = defaultdict(
            lambda: (set(), set())
        )
        for row in rows:
            sessions, users = groups[(row[6].date(), row[1], row[2])]
            if row[5]:
                sessions.add(row[5])
            if row[4]:
                users.add(row[4])
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


def _truncate(moment: datetime, unit: str) -> datetime:
    if unit == "minute":
        return moment.replace(second=0, microsecond=0)
    if unit == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
