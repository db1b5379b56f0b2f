"""`eventlens replay`: rebuild read models from the whole history while the current ones serve."""

from __future__ import annotations

import psycopg

from eventlens.config import Settings
from eventlens.eventstore.catalog import open_catalog
from eventlens.projections.projection import counted_streams
from eventlens.projections.versions import record_version
from eventlens.runtime.database import resolve_database, stop_embedded_postgres
from eventlens.runtime.wiring import make_head_probe, projections, reader_factory


def replay_projections(settings: Settings, names: list[str]) -> None:
    """`eventlens replay`: rebuild the named projections (all when none are named)."""
    database_url, started = resolve_database(settings)
    try:
        _replay_projections(settings, database_url, names)
    finally:
        if started:
            stop_embedded_postgres(settings)


def rebuild_all(settings: Settings, database_url: str) -> None:
    """Every projection, from the whole history (a restore's last step)."""
    _replay_projections(settings, database_url, [])


def _replay_projections(settings: Settings, database_url: str, names: list[str]) -> None:
    from eventlens.projections.replay import ProgressReporter, replay

    catalog = open_catalog(database_url)
    try:
        available = {p.name: p for p in projections(catalog, settings.visit_timeout)}
        unknown = sorted(set(names) - set(available))
        if unknown:
            raise SystemExit(
                f"unknown projection(s): {', '.join(unknown)}; choose from {', '.join(available)}"
            )
        probe = make_head_probe(settings, database_url)
        for name in names or list(available):
            projection = available[name]
            replay(
                database_url,
                projection,
                reader_factory(settings, database_url, projection, catalog, f"{name}-replay"),
                lambda p=projection: probe.totals(counted_streams(p.streams)),  # type: ignore[misc]
                ProgressReporter(),
            )
            # The tables now live were built by this definition.
            with psycopg.connect(database_url, autocommit=True) as conn:
                record_version(conn, name, projection.version)
    finally:
        catalog.close()
