"""The tracked-events projection: the master log, per-schema tables and the stats rollups.

`event_logs` is partitioned by schema, and each partition is that schema's table,
`events_<schema>`: every event is written once and is in both, the master log and its
schema's table, at the cost of one write. One transaction per batch COPYs the rows and adds
what they count to the rollups, computed in Python from the rows *newly* inserted (the key is
the schema and event id), so an event delivered twice (a client retry in Kafka mode) is
counted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import orjson
import psycopg
from psycopg import sql

from eventlens.eventstore.port import CATALOG_STREAM, TRACKED_STREAM, StoredRecord
from eventlens.eventstore.subject_keys import setup_subject_keys
from eventlens.projections.enrichment import ENRICHED_DDL
from eventlens.projections.event_rows import (
    COLUMNS,
    COUNT_FIELDS,
    DIMENSION_FIELDS,
    NULL,
    PERSONAL_DDL,
    EventRow,
    HourlyVisitors,
    Increments,
    Visitors,
    as_records,
)
from eventlens.projections.expiry import Expiry, expiry_of, remove_expired_events
from eventlens.projections.personal_rows import blank_erased, erased_subject, plaintext_lines
from eventlens.projections.rollup_sites import AdaptorZone, adaptor_zone
from eventlens.projections.visit_rows import visit_ids, visit_parts
from eventlens.projections.visitor_sketches import DAILY, HOURLY, count_visitors
from eventlens.projections.visits import DDL as VISITS_DDL
from eventlens.projections.visits import MERGE_VISITS, VisitTracker
from eventlens.projections.web_rollups import RollupRows, roll_up, zones_of
from eventlens.projections.web_rollups import setup as setup_web_rollups
from eventlens.views.property_filters import PROPERTY_FILTER_INDEX

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
DDL = (
    f"""
CREATE TABLE IF NOT EXISTS event_logs ({EVENT_COLUMNS}) PARTITION BY LIST (schema_id);
CREATE INDEX IF NOT EXISTS event_logs_received_at ON event_logs (received_at DESC, event_id DESC);
CREATE INDEX IF NOT EXISTS event_logs_time ON event_logs ("timestamp" DESC);
CREATE INDEX IF NOT EXISTS event_logs_session ON event_logs (session_id);
CREATE INDEX IF NOT EXISTS event_logs_user ON event_logs (user_id);
"""
    + ENRICHED_DDL
    + PERSONAL_DDL
    + PROPERTY_FILTER_INDEX
    + ";\n"
)

ROLLUPS = ("stats_minutely", "stats_hourly", "stats_daily")

# Rollup rows are counters, updated in place by later batches: room left on each page lets
# PostgreSQL update them without touching the indexes (HOT updates).

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
) WITH (fillfactor = 70);
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
) WITH (fillfactor = 70);
"""
    + "".join(
        f"""
CREATE TABLE IF NOT EXISTS {table} (
    {period:<13} {kind} NOT NULL,
    schema_id     text NOT NULL,
    container_id  text NOT NULL DEFAULT '',
    sessions      bytea NOT NULL,
    users         bytea NOT NULL,
    PRIMARY KEY ({period}, schema_id, container_id)
) WITH (fillfactor = 50);
"""
        for table, period, kind in (DAILY, HOURLY)
    )
)

# The row's columns, then its visit (known once the batch's visitors are read).
COPIED = (*COLUMNS, "visit_id")
COPY_ROWS = sql.SQL("COPY event_logs ({}) FROM STDIN").format(
    sql.SQL(", ").join(map(sql.Identifier, COPIED))
)
# Where a batch goes when it repeats events already recorded (a client retry in Kafka mode):
# staged, then inserted except for those. Temporary, so not logged; emptied at commit.
STAGE = "CREATE TEMP TABLE IF NOT EXISTS incoming_events (LIKE event_logs) ON COMMIT DELETE ROWS"
COPY_STAGED = sql.SQL("COPY incoming_events ({}) FROM STDIN").format(
    sql.SQL(", ").join(map(sql.Identifier, COPIED))
)
INSERT_STAGED = """
INSERT INTO event_logs SELECT * FROM incoming_events
ON CONFLICT (schema_id, event_id) DO NOTHING
RETURNING schema_id, event_id::text
"""


def _add_counts(table: str) -> str:
    return f"""
INSERT INTO {table} (bucket, schema_id, container_id, event_type, events)
SELECT * FROM json_to_recordset(%s::json)
    AS c(bucket timestamptz, schema_id text, container_id text, event_type text, events bigint)
ON CONFLICT (bucket, schema_id, container_id, event_type)
DO UPDATE SET events = {table}.events + excluded.events
"""


ADD_COUNTS = {table: _add_counts(table) for table in ROLLUPS}
ADD_DIMENSIONS = """
INSERT INTO stats_daily_dimensions (day, schema_id, container_id, dimension, value, events)
SELECT * FROM json_to_recordset(%s::json)
    AS d(day date, schema_id text, container_id text, dimension text, value text, events bigint)
ON CONFLICT (day, schema_id, container_id, dimension, value)
DO UPDATE SET events = stats_daily_dimensions.events + excluded.events
"""


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


@dataclass(frozen=True)
class Rollups:
    """What a batch adds to the rollups, ready to send."""

    counts: dict[str, str]  # rollup table -> its records (JSON)
    dimensions: str | None
    visitors: Visitors
    hourly_visitors: HourlyVisitors

    @classmethod
    def of(cls, increments: Increments) -> Rollups:
        counts = {
            table: as_records(counted, COUNT_FIELDS)
            for table, counted in (
                ("stats_minutely", increments.minutely),
                ("stats_hourly", increments.hourly),
                ("stats_daily", increments.daily),
            )
            if counted
        }
        dimensions = (
            as_records(increments.dimensions, DIMENSION_FIELDS) if increments.dimensions else None
        )
        return cls(counts, dimensions, increments.visitors, increments.hourly_visitors)


@dataclass(frozen=True)
class PreparedEvents:
    registered_schemas: list[str]  # schemas registered in the batch: their tables are made
    adaptor_zones: list[AdaptorZone]  # adaptors created or changed in the batch
    rows: list[EventRow]
    lines: list[str]  # the rows in COPY's format, but for their visit
    rollups: Rollups
    web: RollupRows
    erased: list[str]  # subjects erased in the batch
    expiries: list[Expiry]  # sites' retention expiries in the batch


class TrackedEvents:
    """Also follows the catalog, to create a schema's table when the schema is registered."""

    name = "events"
    version = 1  # raise on a change to the read models (projections/versions.py)
    streams: tuple[str, ...] = (CATALOG_STREAM, TRACKED_STREAM)
    # Not the primary key: COPY relies on it to find events already recorded.
    bulk_load_indexes: tuple[str, ...] = (
        "event_logs_received_at",
        "event_logs_time",
        "event_logs_session",
        "event_logs_user",
        "event_logs_properties",
        "event_logs_subject",
    )

    def __init__(self, visit_timeout: timedelta = timedelta(minutes=30)) -> None:
        self._known_tables: set[str] = set()
        self._visits = VisitTracker(visit_timeout)

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)
        conn.execute(VISITS_DDL)
        conn.execute(ROLLUP_DDL)
        setup_subject_keys(conn)
        setup_web_rollups(conn)
        self._known_tables.clear()

    def prepare(self, records: Sequence[StoredRecord]) -> PreparedEvents:
        registered = []
        zones = []
        erased = []
        expiries = []
        for record in records:
            if record.stream == CATALOG_STREAM:
                notification = orjson.loads(record.payload)
                if notification["topic"].endswith("Schema.Registered"):
                    registered.append(notification["state"]["name"])
                zone = adaptor_zone(notification)
                if zone is not None:
                    zones.append(zone)
                subject = erased_subject(notification)
                if subject is not None:
                    erased.append(subject)
                expiry = expiry_of(notification)
                if expiry is not None:
                    expiries.append(expiry)
        rows = [EventRow.from_payload(r.payload) for r in records if r.stream == TRACKED_STREAM]
        lines = [row.copy_line() for row in rows]
        rollups = Rollups.of(Increments.of(rows))
        web = RollupRows.of(rows)
        return PreparedEvents(registered, zones, rows, lines, rollups, web, erased, expiries)

    def apply(self, conn: psycopg.Connection, batch: PreparedEvents) -> None:
        for schema_id in batch.registered_schemas:
            self._ensure_table(conn, schema_id)
        zones = zones_of(conn, batch.adaptor_zones, batch.web)
        if not batch.rows:
            blank_erased(conn, batch.erased)
            remove_expired_events(conn, batch.expiries)
            return
        for schema_id in sorted({row.schema_id for row in batch.rows}):
            self._ensure_table(conn, schema_id)
        visits = self._visits.visits(conn, batch.rows)
        data = "".join(
            [
                f"{line[:-1]}\t{NULL if visit is None else visit}\n"
                for line, visit in zip(
                    plaintext_lines(conn, batch.rows, batch.lines), visits, strict=True
                )
            ]
        ).encode()
        inserted = _insert(conn, batch.rows, data)
        parts = visit_parts(inserted, visit_ids(batch.rows, visits), zones)
        reopened = [] if parts is None else conn.execute(MERGE_VISITS, (parts,)).fetchall()
        closed = self._visits.close(conn, inserted)
        # Counted when prepared, assuming every row is new; recounted if some were not.
        every_row_new = inserted is batch.rows
        rollups = batch.rollups if every_row_new else Rollups.of(Increments.of(inserted))
        web = batch.web if every_row_new else RollupRows.of(inserted)
        roll_up(conn, web, zones, reopened, closed)
        for table, records in rollups.counts.items():
            conn.execute(ADD_COUNTS[table], (records,))
        if rollups.dimensions:
            conn.execute(ADD_DIMENSIONS, (rollups.dimensions,))
        count_visitors(conn, DAILY, rollups.visitors)
        count_visitors(conn, HOURLY, rollups.hourly_visitors)
        blank_erased(conn, batch.erased)
        remove_expired_events(conn, batch.expiries)

    def _ensure_table(self, conn: psycopg.Connection, schema_id: str) -> None:
        if schema_id not in self._known_tables:
            create_schema_table(conn, schema_id)
            self._known_tables.add(schema_id)


def _insert(conn: psycopg.Connection, rows: list[EventRow], data: bytes) -> list[EventRow]:
    """Records the rows in `event_logs` (so in their schemas' tables); returns those that
    were not there already. A batch is COPYed; only one that repeats recorded events (rare:
    a producer's retry) takes the slower path through a staging table."""
    try:
        with conn.transaction(), conn.cursor().copy(COPY_ROWS) as copy:
            copy.write(data)
        return rows
    except psycopg.errors.UniqueViolation:
        pass
    conn.execute(STAGE)
    with conn.cursor().copy(COPY_STAGED) as copy:
        copy.write(data)
    inserted = set(conn.execute(INSERT_STAGED).fetchall())
    new: list[EventRow] = []
    for row in rows:
        if row.key in inserted:
            inserted.discard(row.key)  # a repeat within the batch counts once
            new.append(row)
    return new
