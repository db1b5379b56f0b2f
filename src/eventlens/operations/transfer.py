"""`eventlens export-events FILE` and `eventlens import-events FILE`, in either event store."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO
from uuid import uuid4

import psycopg

from eventlens.config import Settings
from eventlens.operations import event_export
from eventlens.operations.event_export import Counts, ExportProblem
from eventlens.runtime.database import resolve_database, stop_embedded_postgres


def _described(counts: Counts) -> str:
    return ", ".join(f"{n:,} {stream}" for stream, n in counts.streams.items())


def export_events(settings: Settings, path: Path, out: TextIO = sys.stdout) -> Counts:
    """Write the history as it is now to a new file (written beside it, then moved in)."""
    if path.exists():
        raise SystemExit(f"export refused: {path} exists; choose a new file")
    partial = path.with_name(f".{path.name}.{uuid4().hex[:8]}{path.suffix}")
    database_url, started = resolve_database(settings)
    try:
        with event_export.open_file(partial, "w") as file:
            if settings.kafka_bootstrap:
                prefix = settings.kafka_topic_prefix
                heads = event_export.kafka_heads(settings.kafka_bootstrap, prefix)
                counts = event_export.export_kafka(settings.kafka_bootstrap, prefix, heads, file)
            else:
                with psycopg.connect(database_url) as conn:
                    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
                    conn.read_only = True
                    counts = event_export.export_postgres(conn, file)
        partial.rename(path)
    except ExportProblem as problem:
        raise SystemExit(f"export failed: {problem}") from None
    finally:
        partial.unlink(missing_ok=True)
        if started:
            stop_embedded_postgres(settings)
    out.write(f"exported {counts.total:,} events ({_described(counts)}) to {path}\n")
    return counts


def import_events(settings: Settings, path: Path, out: TextIO = sys.stdout) -> Counts:
    """Append the file's events that the store does not hold yet. The whole file is checked
    first: a bad line refuses it before anything is appended."""
    if not path.is_file():
        raise SystemExit(f"import refused: {path} is not a file")
    try:
        event_export.check_file(path)
    except ExportProblem as problem:
        raise SystemExit(f"import refused: {path}: {problem}") from None
    database_url, started = resolve_database(settings)
    try:
        with event_export.open_file(path, "r") as file:
            if settings.kafka_bootstrap:
                from eventlens.eventstore.kafka_topics import ensure_topics

                bootstrap, prefix = settings.kafka_bootstrap, settings.kafka_topic_prefix
                ensure_topics(
                    bootstrap, settings.kafka_partitions, settings.kafka_replication, prefix
                )
                known = event_export.recorded_ids(bootstrap, prefix)
                counts = event_export.import_kafka(bootstrap, prefix, file, known)
            else:
                counts = event_export.import_postgres(database_url, file)
    except ExportProblem as problem:
        raise SystemExit(f"import failed: {problem}") from None
    finally:
        if started:
            stop_embedded_postgres(settings)
    out.write(
        f"appended {counts.total - counts.skipped:,} of {counts.total:,} events; "
        f"{counts.skipped:,} were recorded already\n"
    )
    return counts
