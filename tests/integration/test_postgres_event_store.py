"""What only the PostgreSQL backend promises: immutability, global order, group commit."""

from __future__ import annotations

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.config import Settings
from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode
from eventlens.eventstore.port import REJECTED_STREAM, TRACKED_STREAM
from eventlens.eventstore.postgres_schema import notify_channel
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


def test_an_append_wakes_the_readers_of_the_streams_it_wrote_to_and_no_others(
    pg: Backend,
) -> None:
    rejected = RejectedEvent(tracked(), (Reason(RejectionCode.UNKNOWN_EVENT_TYPE, "no"),))
    with pg.running_store() as store:
        store.append([tracked()])  # the store's schema exists before anyone listens
        with psycopg.connect(pg.database_url, autocommit=True) as listener:
            for stream in (TRACKED_STREAM, REJECTED_STREAM):
                listener.execute(
                    psycopg.sql.SQL("LISTEN {}").format(
                        psycopg.sql.Identifier(notify_channel(stream))
                    )
                )
            store.append([tracked(), tracked()])
            after_tracked = _heard(listener)
            store.call(lambda: store.store.append_rejected([rejected]))
            after_rejected = _heard(listener)
    assert after_tracked == [notify_channel(TRACKED_STREAM)]  # once per append, not per event
    assert after_rejected == [notify_channel(REJECTED_STREAM)]


def _heard(listener: psycopg.Connection) -> list[str]:
    """The channels notified since the last look (delivered at the appends' commits)."""
    return [n.channel for n in listener.notifies(timeout=1.0)]


def _commits(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        row = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(row[0])
