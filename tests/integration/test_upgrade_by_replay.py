"""Upgrades by replay: workers that start with a new definition of a projection rebuild it,
blue/green, while the tables the previous definition built keep serving."""

from __future__ import annotations

import time
from typing import Any

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.projections import replay as replay_module
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.runtime.wiring import projections
from eventlens.runtime.workers import Workers
from tests.integration.backends import Backend, tracked

pytestmark = [pytest.mark.postgres]
TOTAL = 600
READ_MODELS = ("event_logs", "stats_hourly", "stats_daily", "stats_daily_uniques", "schemas")


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(url) as conn:
        return {
            table: sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
            for table in READ_MODELS
        }


def one(url: str, query: str) -> Any:
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0]


def wait_for(url: str, query: str, expected: Any, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = one(url, query)
        except psycopg.errors.UndefinedTable:
            seen = None
        if seen == expected:
            return
        time.sleep(0.2)
    raise AssertionError(f"{query}: {seen!r}, expected {expected!r}")


def versions(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT projection, version FROM projection_versions").fetchall())


def current_versions(backend: Backend) -> dict[str, int]:
    """Every projection, built by its current definition."""
    return {p.name: p.version for p in projections(backend.catalog)}


def test_a_changed_projection_is_rebuilt_on_start_while_its_old_tables_serve(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = backend.database_url
    register_schema(
        RegisterSchema(SYSTEM, "portfolio_events", "Portfolio", {"page_view": {}, "click": {}}),
        backend.catalog,
    )
    backend.relay_catalog()

    # Given read models built by the current definitions
    first = Workers(backend.settings, url)
    first.start()
    try:
        with backend.running_store() as store:
            store.append(
                [
                    tracked(session=f"s{i % 30}", event_type="click" if i % 4 == 0 else "page_view")
                    for i in range(TOTAL)
                ]
            )
        wait_for(url, "SELECT sum(events) FROM stats_daily", TOTAL)
    finally:
        first.close()
    before = snapshot(url)
    assert versions(url) == current_versions(backend)
    old_table = one(url, "SELECT 'event_logs'::regclass::oid")

    # When the workers start with a new version of the events projection
    monkeypatch.setattr(TrackedEvents, "version", 2)
    seen_at_swap: list[tuple[Any, ...]] = []
    swap = replay_module._swap

    def observed_swap(conn: psycopg.Connection[Any], *args: str) -> None:
        with psycopg.connect(url) as other:
            row = other.execute(
                "SELECT 'event_logs'::regclass::oid, (SELECT count(*) FROM event_logs), "
                "(SELECT version FROM projection_versions WHERE projection = 'events')"
            ).fetchone()
        assert row is not None
        seen_at_swap.append(tuple(row))
        swap(conn, *args)

    monkeypatch.setattr(replay_module, "_swap", observed_swap)
    second = Workers(backend.settings, url)
    second.start()
    try:
        wait_for(url, "SELECT version FROM projection_versions WHERE projection = 'events'", 2)
        rebuilt = snapshot(url)
        # ... and go on projecting into the new tables
        with backend.running_store() as store:
            store.append([tracked(session="after-upgrade")])
        wait_for(url, "SELECT count(*) FROM event_logs", TOTAL + 1)
    finally:
        second.close()

    # Then until the swap the old tables served every answer ...
    assert seen_at_swap == [(old_table, TOTAL, 1)]
    # ... and the new tables hold the same answers
    assert one(url, "SELECT 'event_logs'::regclass::oid") != old_table
    assert rebuilt == before
    # Only the changed projection was rebuilt
    assert versions(url) == {**current_versions(backend), "events": 2}
    assert one(url, "SELECT array_agg(projection) FROM replay_runs") == ["events"]


def test_read_models_built_before_versions_were_recorded_count_as_the_first_version(
    backend: Backend,
) -> None:
    url = backend.database_url
    first = Workers(backend.settings, url)
    first.start()
    try:
        with backend.running_store() as store:
            store.append([tracked(session="s1")])
        wait_for(
            url,
            "SELECT EXISTS (SELECT FROM projection_positions WHERE projection = 'events')",
            True,
        )
    finally:
        first.close()
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE projection_versions")

    again = Workers(backend.settings, url)
    again.start()
    again.close()

    # The events projection, still at its first definition, is not rebuilt; the others have
    # no events here, so they count as not built yet.
    assert versions(url) == current_versions(backend)
    assert one(url, "SELECT count(*) FROM replay_runs") == 0
