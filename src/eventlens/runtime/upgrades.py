"""Upgrades by replay: a projection whose definition version changed is rebuilt, blue/green,
when the workers start, while its current tables keep serving.

Its live worker waits for the rebuild: the new definition never writes into tables the old
one built. With several worker processes, one rebuilds (whoever takes the projection's
upgrade lock) and the others wait until the new version is recorded.
"""

from __future__ import annotations

import logging
import threading
import zlib
from typing import Any

import psycopg

from eventlens.config import Settings
from eventlens.eventstore.catalog import Catalog
from eventlens.projections.projection import Projection, counted_streams
from eventlens.projections.versions import built_version, record_version
from eventlens.runtime.wiring import make_head_probe, reader_factory

log = logging.getLogger(__name__)
WAIT = 2.0  # seconds between looks while another process rebuilds
RETRY = 5.0  # seconds before a failed rebuild is tried again


def _upgrade_lock(projection: str) -> int:
    return zlib.crc32(f"eventlens-upgrade:{projection}".encode()) - 2**31


def needs_rebuild(database_url: str, projection: Projection[Any]) -> bool:
    """Whether the live read models were built by another definition version. Read models
    not built yet, or built by this version, are recorded as built by it."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        built = built_version(conn, projection.name)
        if built is None or built == projection.version:
            record_version(conn, projection.name, projection.version, replace=False)
            return False
        return True


def rebuild_for_upgrade(
    settings: Settings,
    database_url: str,
    projection: Projection[Any],
    catalog: Catalog,
    stop: threading.Event,
) -> None:
    """Replay `projection` into new tables and swap them in, unless another process does;
    return once the read models are built by this definition (or on `stop`)."""
    from eventlens.projections.replay import ProgressReporter, replay

    name, wanted = projection.name, projection.version
    while not stop.is_set():
        try:
            with psycopg.connect(database_url, autocommit=True) as conn:
                if built_version(conn, name) == wanted:
                    return
                held = conn.execute(
                    "SELECT pg_try_advisory_lock(%s)", (_upgrade_lock(name),)
                ).fetchone()
                if not (held and held[0]):
                    stop.wait(WAIT)
                    continue
                try:
                    built = built_version(conn, name)
                    if built == wanted:
                        return
                    log.warning(
                        "projection %s: definition version %s, read models built by version %s;"
                        " rebuilding them by replay while the current ones serve",
                        name,
                        wanted,
                        built,
                    )
                    probe = make_head_probe(settings, database_url)
                    replay(
                        database_url,
                        projection,
                        reader_factory(
                            settings, database_url, projection, catalog, f"{name}-replay"
                        ),
                        lambda probe=probe: probe.totals(counted_streams(projection.streams)),  # type: ignore[misc]
                        ProgressReporter(),
                    )
                    record_version(conn, name, wanted)
                    log.warning("projection %s: rebuilt by version %s and swapped in", name, wanted)
                    return
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (_upgrade_lock(name),))
        except Exception:
            log.exception("projection %s: the rebuild for its new version failed; retrying", name)
            stop.wait(RETRY)
