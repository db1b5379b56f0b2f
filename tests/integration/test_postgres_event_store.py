"""What only the PostgreSQL backend promises: immutability, global order, group commit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import orjson
import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.config import Settings
from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode
from eventlens.eventstore.catalog import CATALOG_TABLE, open_catalog
from eventlens.eventstore.port import REJECTED_STREAM, TRACKED_STREAM, StoreUnavailable
from eventlens.eventstore.postgres_schema import notify_channel
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


def test_clients_answered_together_send_again_into_one_commit(database_url: str) -> None:
    # Each client sends again once answered, after a round trip off the event loop, as over
    # HTTP: without a window the next group leaves with whoever is back first.
    window = Backend(
        "postgres",
        Settings(database_url=database_url, kafka_bootstrap=None, group_commit_window_us=200_000),
        database_url,
    )
    clients, rounds = 8, 10
    with window.running_store() as store:
        store.append([tracked()])  # connected

        async def closed_loop(client: int) -> None:
            for n in range(rounds):
                await store.store.append_tracked([tracked(session=f"c{client}", n=n)])
                await asyncio.to_thread(time.sleep, 0.001 * (client % 4))

        async def all_clients() -> None:
            await asyncio.gather(*(closed_loop(c) for c in range(clients)))

        store.call(all_clients())
    assert window.count("SELECT count(*) FROM eventstore_log") == 1 + clients * rounds
    # A group is one transaction. The first leaves with those already queued; after it,
    # every group waits for all the clients it answered.
    commits = window.count("SELECT count(DISTINCT xmin::text) FROM eventstore_log") - 1
    assert commits <= rounds + 2


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
    assert after_tracked == [notify_channel(TRACKED_STREAM)]
    assert after_rejected == [notify_channel(REJECTED_STREAM)]


AWKWARD = ["", "plain", 'quote " and \\ backslash', "tab\tnew\nline", "é 中文 🙂", '{"a": [1]}']


def test_awkward_text_and_a_group_larger_than_the_socket_buffer_are_recorded_as_sent(
    pg: Backend,
) -> None:
    # ~12 MB in one append: more than a socket takes at once, so it is sent as it drains.
    events = [
        tracked(
            session=f"s{i} {AWKWARD[i % len(AWKWARD)]}",
            text=AWKWARD[i % len(AWKWARD)],
            filler="x" * 4000,
        )
        for i in range(3000)
    ]
    with pg.running_store() as store:
        store.append(events)
    with psycopg.connect(pg.database_url) as conn:
        rows = conn.execute(
            "SELECT event_id, partition_key, payload FROM eventstore_log ORDER BY position"
        ).fetchall()
    assert [r[0] for r in rows] == [e.event_id for e in events]
    assert [r[1] for r in rows] == [e.session_id for e in events]
    assert [orjson.loads(r[2])["properties"] for r in rows] == [e.properties for e in events]


def test_one_request_the_database_refuses_does_not_fail_the_others_in_its_group(
    pg: Backend,
) -> None:
    good = [tracked(session=f"s{i}") for i in range(20)]
    bad = tracked(session="nul \x00 in a key")  # PostgreSQL text cannot hold NUL
    with pg.running_store() as store:
        store.append([tracked()])  # connected: the next appends queue up as one group

        async def all_at_once() -> list[BaseException | None]:
            appends = [store.store.append_tracked([e]) for e in (*good[:10], bad, *good[10:])]
            return await asyncio.gather(*appends, return_exceptions=True)

        outcomes = store.call(all_at_once())
        store.append([tracked(session="after")])  # and the store goes on
    failed = [o for o in outcomes if o is not None]
    assert len(failed) == 1
    assert isinstance(failed[0], StoreUnavailable)
    assert outcomes[10] is failed[0]
    assert pg.count("SELECT count(*) FROM eventstore_log") == 1 + 20 + 1


def test_a_connection_the_database_dropped_while_idle_costs_no_append(pg: Backend) -> None:
    with pg.running_store() as store:
        store.append([tracked()])
        with psycopg.connect(pg.database_url, autocommit=True) as admin:
            writers = [
                pid
                for (pid,) in admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                    "AND datname = current_database() AND query LIKE '%eventstore_log_append%'"
                )
            ]
            for pid in writers:
                admin.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))  # and wait
        assert len(writers) == 1
        _wait_until(lambda: store.store._conn is None or store.store._conn.closed)
        store.append([tracked(session="after the drop")])  # raises if it failed
    assert pg.count("SELECT count(*) FROM eventstore_log") == 2


def test_closing_the_store_while_it_records_a_group_answers_every_request_in_it(
    pg: Backend,
) -> None:
    with pg.running_store() as store:
        store.append([tracked()])  # connected

        async def close_while_recording() -> asyncio.Future[None]:
            appended = store.store.append_tracked([tracked(session="in flight")])
            await asyncio.sleep(0)  # the writer takes it and sends it
            await store.store.close()
            return appended

        appended = store.call(close_while_recording())
        assert appended.done()  # answered: recorded, or failed so that the client retries
        if appended.exception() is not None:
            assert isinstance(appended.exception(), StoreUnavailable)


def _wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true"
        time.sleep(0.02)


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
