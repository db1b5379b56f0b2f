"""`eventlens restore DIR --data-dir NEW`: a new data directory from a backup, its read models
rebuilt by replay.

Nothing is written before the backup is checked (manifest, format version, every file's size
and checksum, every event line) and the target found empty: a new or empty data directory,
and in Kafka mode empty topics, and a configured database without EventLens history. The data
directory is built beside the target and moved in once the replay has finished, so a restore
that fails leaves no data directory behind.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path
from typing import Any, TextIO
from uuid import uuid4

import psycopg
from psycopg import sql

from eventlens.config import Settings
from eventlens.eventstore.catalog import CATALOG_TABLE, open_catalog
from eventlens.eventstore.postgres_schema import LOG_TABLE
from eventlens.eventstore.subject_keys import DDL as KEYS_DDL
from eventlens.operations import event_export
from eventlens.operations.manifest import (
    EVENTS_FILE,
    SECRETS_FILE,
    BadBackup,
    verify,
)
from eventlens.runtime.database import resolve_database, stop_embedded_postgres
from eventlens.runtime.secrets import SECRETS_DDL


class RestoreRefused(Exception):
    """A target a backup cannot be restored into; the message says why."""


def restore(source: Path, settings: Settings, out: TextIO = sys.stderr) -> dict[str, Any]:
    manifest = verify(source)
    try:
        checked = event_export.check_file(source / EVENTS_FILE)
    except event_export.ExportProblem as problem:
        raise BadBackup(f"{EVENTS_FILE}: {problem}") from None
    if checked.streams != manifest.get("events"):
        raise BadBackup(f"{EVENTS_FILE} does not hold the events the manifest counts")
    target = settings.data_dir
    _refuse_target(target, settings)
    staging = target.parent / f".{target.name}.restoring-{uuid4().hex[:8]}"
    target.parent.mkdir(parents=True, exist_ok=True)
    staging.mkdir()
    staged = settings.with_overrides(data_dir=staging)
    try:
        database_url, started = resolve_database(staged)
        try:
            _load(source, manifest, staged, database_url, out)
            _rebuild(staged, database_url, out)
        finally:
            if started:
                stop_embedded_postgres(staged)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _refuse_target(target: Path, settings: Settings) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise RestoreRefused(f"{target} exists and is not empty; restore into a new directory")
    if settings.database_url:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            for table in (LOG_TABLE, CATALOG_TABLE):
                if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone() == (None,):
                    continue
                query = sql.SQL("SELECT EXISTS (SELECT FROM {})").format(sql.Identifier(table))
                if conn.execute(query).fetchone() == (True,):
                    raise RestoreRefused(
                        f"the configured database already holds EventLens history ({table}); "
                        "restore into an empty database"
                    )
    if settings.kafka_bootstrap:
        heads = event_export.kafka_heads(settings.kafka_bootstrap, settings.kafka_topic_prefix)
        if any(high > 0 for _low, high in heads.values()):
            raise RestoreRefused(
                f"the Kafka topics with prefix {settings.kafka_topic_prefix!r} already hold "
                "events; restore into new topics (EVENTLENS_KAFKA_TOPIC_PREFIX)"
            )


def _load(
    source: Path, manifest: dict[str, Any], settings: Settings, database_url: str, out: TextIO
) -> None:
    open_catalog(database_url).close()  # the log's and the catalog's tables, empty
    with psycopg.connect(database_url) as conn:
        conn.execute(KEYS_DDL)
        for table, copied in manifest["tables"].items():
            if copied["columns"]:
                _copy_in(conn, table, copied["columns"], source / copied["file"])
        conn.execute(SECRETS_DDL)
        secrets = json.loads((source / SECRETS_FILE).read_text())
        for name, value in secrets.items():
            conn.execute(
                "INSERT INTO eventlens_secrets (name, value) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, value),
            )
    total = sum(manifest["events"].values())
    changes = manifest["tables"][CATALOG_TABLE]["rows"]
    out.write(f"restoring {total:,} events and {changes:,} catalog changes\n")

    def report(done: int) -> None:
        if done % 50_000 == 0 or done == total:
            out.write(f"events: {done:,}/{total:,} appended\n")
            out.flush()

    with event_export.open_file(source / EVENTS_FILE, "r") as events:
        if settings.kafka_bootstrap:
            from eventlens.eventstore.kafka_topics import ensure_topics

            ensure_topics(
                settings.kafka_bootstrap,
                settings.kafka_partitions,
                settings.kafka_replication,
                settings.kafka_topic_prefix,
            )
            event_export.import_kafka(
                settings.kafka_bootstrap, settings.kafka_topic_prefix, events, set(), report
            )
            _relay_catalog(settings, database_url)
        else:
            event_export.import_postgres(database_url, events, report)


def _copy_in(conn: psycopg.Connection[Any], table: str, columns: list[str], path: Path) -> None:
    from eventlens.operations.backup import qualified, table_columns

    if not set(columns) <= set(table_columns(conn, table)):
        raise BadBackup(f"the backup's {table} columns do not match this EventLens version's")
    query = sql.SQL("COPY {} ({}) FROM STDIN").format(
        qualified(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    with gzip.open(path, "rb") as data, conn.cursor().copy(query) as copy:
        while chunk := data.read(1 << 20):
            copy.write(chunk)
    # Serial and identity columns go on after the restored rows.
    for column in columns:
        row = conn.execute("SELECT pg_get_serial_sequence(%s, %s)", (table, column)).fetchone()
        if row and row[0]:
            conn.execute(
                sql.SQL(
                    "SELECT setval(%s, COALESCE((SELECT max({}) FROM {}), 0) + 1, false)"
                ).format(sql.Identifier(column), qualified(table)),
                (row[0],),
            )


def _relay_catalog(settings: Settings, database_url: str) -> None:
    """Kafka mode: the catalog's changes reach their topic through the outbox relay, as
    they would once `eventlens up` runs; the replay reads them from there."""
    from eventlens.eventstore.catalog_relay import CatalogRelay
    from eventlens.eventstore.port import CATALOG_STREAM

    assert settings.kafka_bootstrap is not None
    prefix = settings.kafka_topic_prefix
    catalog = open_catalog(database_url)
    relay = CatalogRelay(
        catalog.recorder,
        settings.kafka_bootstrap,
        prefix + CATALOG_STREAM,
        f"{prefix}eventlens-catalog-relay",
    )
    try:
        relay.start()
        while relay.relay_once():
            pass
    finally:
        relay.close()
        catalog.close()


def _rebuild(settings: Settings, database_url: str, out: TextIO) -> None:
    from eventlens.runtime.replay import rebuild_all

    out.write("rebuilding the read models by replay\n")
    out.flush()
    rebuild_all(settings, database_url)
