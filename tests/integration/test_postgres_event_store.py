"""What only the PostgreSQL backend promises: immutability, global order, group commit."""

from __future__ import annotations

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.config import Settings
from eventlens.runtime import CATALOG_TABLE, open_catalog
from tests.integration.backends import Backend, tracked

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def pg(database_url: str) -> Backend:
    return Backend(
        "postgres", Settings(database_url=database_url, kafka_bootstrap=None), database_url
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE eventstore_log SET stream = 'x'",
        "DELETE FROM eventstore_log",
        "TRUNCATE eventstore_log",
    ],
)
def test_the_database_refuses_to_change_or_remove_recorded_events(
    pg: Backend, statement: str
) -> None:
    with pg.running_store() as store:
        store.append([tracked()])
    with (
        psycopg.connect(pg.database_url) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"),
    ):
        conn.execute(statement)
    assert pg.count("SELECT count(*) FROM eventstore_log") == 1


@pytest.mark.parametrize("statement", ["DELETE FROM {}", "UPDATE {} SET topic = 'x'"])
def test_catalog_events_are_append_only_too(database_url: str, statement: str) -> None:
    catalog = open_catalog(database_url)
    register_schema(RegisterSchema(SYSTEM, "shop", None, {"buy": {}}), catalog)
    catalog.close()
    with psycopg.connect(database_url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement.format(CATALOG_TABLE))


def test_positions_follow_append_order(pg: Backend) -> None:
    events = [tracked(n=i) for i in range(20)]
    with pg.running_store() as store:
        for event in events:
            store.append([event])
    with psycopg.connect(pg.database_url) as conn:
        rows = conn.execute("SELECT event_id FROM eventstore_log ORDER BY position").fetchall()
    assert [r[0] for r in rows] == [e.event_id for e in events]


def test_concurrent_appends_share_transactions(pg: Backend) -> None:
    events = [tracked(session=f"s{i}") for i in range(300)]
    with pg.running_store() as store:
        store.append([tracked()])  # connect and warm up first
        before = _commits(pg.database_url)
        store.append_concurrently([[e] for e in events])
        after = _commits(pg.database_url)
    assert pg.count("SELECT count(*) FROM eventstore_log") == 301
    # One transaction per request would be 300; group commit needs far fewer.
    assert after - before < 150


def _commits(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])
