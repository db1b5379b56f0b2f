"""`eventlens backup DIR`: the history, the catalog and the secrets, at one point in time.

Read models are left out: a restore rebuilds them by replay. In PostgreSQL mode the log, the
catalog and the secrets are read in one REPEATABLE READ snapshot. In Kafka mode the topics'
ends are taken first and the snapshot right after, so the catalog is never older than the
events (every schema and adaptor an event names is in it); the topics are then read up to
those ends while ingest goes on.

The tables copied as they are (`COPY`): the catalog's recorder table, and the subjects' keys
with the secret that finds a user id's key; without them the personal fields of the events
could not be read, and a returning user would get a new pseudonym.

Visitor salts are not backed up: they are deleted 48 hours after their day began, and a
backup kept longer would keep them (docs/OPERATIONS.md, "What a backup holds").
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from uuid import uuid4

import psycopg
from psycopg import sql

from eventlens.config import Settings
from eventlens.eventstore.catalog import CATALOG_TABLE, open_catalog
from eventlens.eventstore.subject_keys import KEY_SCHEMA, KEY_TABLE
from eventlens.operations import event_export
from eventlens.operations.manifest import (
    EVENTS_FILE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    SECRETS_FILE,
    describe,
)
from eventlens.runtime.database import resolve_database, stop_embedded_postgres

# Each copied table and its file, in the order a restore loads them.
TABLES = {
    CATALOG_TABLE: "catalog.copy.gz",
    KEY_TABLE: "subject_keys.copy.gz",
    f"{KEY_SCHEMA}.lookup_secret": "lookup_secret.copy.gz",
}


class BackupRefused(Exception):
    """A backup that cannot be made where asked; the message says why."""


def directory_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def table_columns(conn: psycopg.Connection[Any], table: str) -> list[str]:
    rows = conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) "
        "AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
        (table,),
    ).fetchall()
    return [row[0] for row in rows]


def qualified(table: str) -> sql.Identifier:
    """`schema.table` or `table` (in `public`), quoted."""
    return sql.Identifier(*table.split(".", 1))


def _copy_out(conn: psycopg.Connection[Any], table: str, columns: list[str], path: Path) -> int:
    """The table's rows in COPY's text format; an empty file for a table that does not exist
    (a store that never sealed a personal field has no keys)."""
    rows = 0
    with gzip.open(path, "wb", compresslevel=6) as out:
        if not columns:
            return 0
        query = sql.SQL("COPY (SELECT {} FROM {} ORDER BY 1) TO STDOUT").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns), qualified(table)
        )
        with conn.cursor().copy(query) as copy:
            for data in copy:
                out.write(data)
                rows += bytes(data).count(b"\n")
    return rows


def _secrets(conn: psycopg.Connection[Any]) -> dict[str, str]:
    if conn.execute("SELECT to_regclass('eventlens_secrets')").fetchone() == (None,):
        return {}
    return dict(conn.execute("SELECT name, value FROM eventlens_secrets ORDER BY name").fetchall())


def _refuse_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupRefused(f"{target} exists and is not empty; choose a new directory")


def backup(target: Path, settings: Settings, out: TextIO = sys.stderr) -> dict[str, Any]:
    """Write the backup into `target` (new or empty); returns its manifest. The files are
    written beside it and moved in at the end, so `target` holds a whole backup or nothing."""
    _refuse_target(target)
    database_url, started = resolve_database(settings)
    staging = target.parent / f".{target.name}.partial-{uuid4().hex[:8]}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
        open_catalog(database_url).close()  # a store that never started has empty tables
        manifest = _write(staging, settings, database_url, out)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if started:
            stop_embedded_postgres(settings)
    return manifest


def _write(staging: Path, settings: Settings, database_url: str, out: TextIO) -> dict[str, Any]:
    kafka = settings.kafka_bootstrap
    prefix = settings.kafka_topic_prefix
    heads = event_export.kafka_heads(kafka, prefix) if kafka else None
    with psycopg.connect(database_url) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        taken_at = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
        tables: dict[str, dict[str, Any]] = {}
        for table, file in TABLES.items():
            columns = table_columns(conn, table)
            rows = _copy_out(conn, table, columns, staging / file)
            tables[table] = {"file": file, "columns": columns, "rows": rows}
        (staging / SECRETS_FILE).write_text(json.dumps(_secrets(conn)))
        (staging / SECRETS_FILE).chmod(0o600)
        if kafka is None:
            with event_export.open_file(staging / EVENTS_FILE, "w") as events:
                counts = event_export.export_postgres(conn, events)
        conn.rollback()
    if kafka is not None:
        assert heads is not None
        out.write(f"reading the topics up to {sum(h - lo for lo, h in heads.values()):,} offsets\n")
        with event_export.open_file(staging / EVENTS_FILE, "w") as events:
            counts = event_export.export_kafka(kafka, prefix, heads, events)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "snapshot_at": taken_at.isoformat(),
        "event_store": "kafka" if kafka else "postgres",
        "events": counts.streams,
        "tables": tables,
        "files": describe(staging, [EVENTS_FILE, SECRETS_FILE, *TABLES.values()]),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def summary(target: Path, manifest: dict[str, Any], data_dir: Path | None) -> str:
    size = directory_size(target)
    text = (
        f"backup written to {target}: {sum(manifest['events'].values()):,} events, "
        f"{manifest['tables'][CATALOG_TABLE]['rows']:,} catalog changes, {size / 1e6:,.1f} MB"
    )
    if data_dir is not None and (data_dir / "postgres").is_dir():
        full = directory_size(data_dir)
        text += f" ({size / full:.1%} of the data directory's {full / 1e6:,.1f} MB)"
    return text
