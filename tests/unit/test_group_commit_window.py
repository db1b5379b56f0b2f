"""The PostgreSQL event store's group-commit window, against a database stand-in whose commits
finish when the test says so."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from eventlens.domain.tracking import TrackedEvent
from eventlens.eventstore import postgres, postgres_append
from eventlens.eventstore.port import StoreUnavailable
from eventlens.eventstore.postgres import SMALL_GROUP, PostgresEventStore

LONG_WINDOW_US = 10_000_000  # longer than any test runs: a wait that ends did not run out
SHORT_WINDOW_US = 20_000


class Database:
    """Commits only when `finish` is called; remembers how many events each commit held."""

    def __init__(self) -> None:
        self.commits: list[asyncio.Future[None]] = []
        self.sizes: list[int] = []
        self.sent = asyncio.Event()

    async def connect(
        self, conninfo: str, query: Any, timeout: int | None = None, **prepared: Any
    ) -> Database:
        return self

    closed = False

    def execute(self, params: Sequence[bytes], statement: bytes = b"") -> asyncio.Future[None]:
        self.sizes.append(int.from_bytes(params[1][12:16], "big"))  # the uuid[]'s length
        self.commits.append(asyncio.get_running_loop().create_future())
        self.sent.set()
        return self.commits[-1]

    async def next_commit(self) -> int:
        """Wait until a commit is sent; the number of events it holds."""
        await asyncio.wait_for(self.sent.wait(), timeout=5)
        self.sent.clear()
        return self.sizes[-1]

    def finish(self) -> None:
        self.commits[-1].set_result(None)

    async def close(self) -> None:
        pass


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch) -> Database:
    db = Database()
    monkeypatch.setattr(postgres_append.AppendConnection, "connect", db.connect)
    monkeypatch.setattr(postgres, "create_event_store_schema", lambda conninfo: None)
    return db


@asynccontextmanager
async def running(window_us: int) -> AsyncIterator[PostgresEventStore]:
    store = PostgresEventStore("postgresql://unused", window_us=window_us)
    await store.start()
    try:
        yield store
    finally:
        await store.close()


def event() -> TrackedEvent:
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="shop",
        event_type="page_view",
        received_at=datetime.now(UTC),
        container_id="CAP-1",
        user_id=None,
        session_id="s1",
        properties={},
    )


async def answer_a_group_of(store: PostgresEventStore, database: Database, n: int) -> None:
    """`n` clients' requests committed together and answered: the store expects them back."""
    first = store.append_tracked([event()])
    assert await database.next_commit() == 1  # the very first request is sent at once
    database.finish()
    await first
    group = [store.append_tracked([event()]) for _ in range(n)]
    assert await database.next_commit() == n
    database.finish()
    await asyncio.gather(*group)


async def turns(n: int) -> None:
    for _ in range(n):
        await asyncio.sleep(0)


def test_a_lone_request_is_sent_without_waiting_for_the_window(database: Database) -> None:
    async def scenario() -> None:
        async with running(LONG_WINDOW_US) as store:
            appended = store.append_tracked([event()])
            assert await database.next_commit() == 1
            database.finish()
            await asyncio.wait_for(appended, timeout=5)

    asyncio.run(scenario())


def test_requests_arriving_within_the_window_share_one_commit(database: Database) -> None:
    async def scenario() -> None:
        async with running(LONG_WINDOW_US) as store:
            await answer_a_group_of(store, database, 4)
            first = store.append_tracked([event()])
            await turns(5)
            assert not database.sent.is_set()  # waiting for the others answered with it
            others = [store.append_tracked([event()]) for _ in range(3)]
            assert await database.next_commit() == 4
            database.finish()
            await asyncio.wait_for(asyncio.gather(first, *others), timeout=5)

    asyncio.run(scenario())


def test_a_request_is_held_no_longer_than_the_window(database: Database) -> None:
    async def scenario() -> None:
        async with running(SHORT_WINDOW_US) as store:
            await answer_a_group_of(store, database, 4)
            loop = asyncio.get_running_loop()
            arrived = loop.time()
            appended = store.append_tracked([event()])  # the three others never come back
            assert await database.next_commit() == 1
            held = loop.time() - arrived
            database.finish()
            await appended
        assert held + 0.002 >= SHORT_WINDOW_US / 1e6  # the timer's resolution
        assert held < 1.0  # generous: the window is 20 ms

    asyncio.run(scenario())


def test_after_a_wait_that_ran_out_the_next_group_goes_at_once(database: Database) -> None:
    async def scenario() -> None:
        async with running(SHORT_WINDOW_US) as store:
            await answer_a_group_of(store, database, 4)
            two = [store.append_tracked([event()]) for _ in range(2)]
            assert await database.next_commit() == 2  # once the window ran out
            late = store.append_tracked([event()])  # queued while that group commits
            database.finish()
            await asyncio.gather(*two)
            await turns(3)
            assert database.sent.is_set()
            database.finish()
            await late

    asyncio.run(scenario())


def test_a_group_of_many_events_does_not_wait(database: Database) -> None:
    async def scenario() -> None:
        async with running(LONG_WINDOW_US) as store:
            await answer_a_group_of(store, database, 4)
            batch = store.append_tracked([event() for _ in range(SMALL_GROUP)])
            assert await database.next_commit() == SMALL_GROUP
            database.finish()
            await batch

    asyncio.run(scenario())


def test_no_window_sends_what_is_queued_at_once(database: Database) -> None:
    async def scenario() -> None:
        async with running(0) as store:
            await answer_a_group_of(store, database, 4)
            store.append_tracked([event()])
            assert await database.next_commit() == 1

    asyncio.run(scenario())


def test_no_request_is_answered_before_the_commit_holding_its_events(
    database: Database,
) -> None:
    async def scenario() -> None:
        async with running(LONG_WINDOW_US) as store:
            await answer_a_group_of(store, database, 2)
            appended = [store.append_tracked([event()]) for _ in range(2)]
            assert await database.next_commit() == 2
            await turns(5)
            assert not any(a.done() for a in appended)
            database.finish()
            await asyncio.wait_for(asyncio.gather(*appended), timeout=5)

    asyncio.run(scenario())


def test_closing_the_store_while_a_group_waits_answers_it(database: Database) -> None:
    async def scenario() -> None:
        async with running(LONG_WINDOW_US) as store:
            await answer_a_group_of(store, database, 4)
            waiting = store.append_tracked([event()])
            await turns(3)
        with pytest.raises(StoreUnavailable):
            await waiting

    asyncio.run(scenario())
