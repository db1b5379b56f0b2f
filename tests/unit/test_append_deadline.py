"""The PostgreSQL event store bounds how long a group commit waits for the database: a
database that stops answering fails the group it holds (503 for each request, which may be
sent again with the same event ids), at once for all of them, and the next group goes on a
new connection. Against the database stand-in of the group-commit tests, whose commits finish
only when the test says so."""

from __future__ import annotations

import asyncio
import time

from eventlens.eventstore.port import StoreUnavailable
from eventlens.eventstore.postgres import PostgresEventStore
from tests.unit.test_group_commit_window import Database, database, event

__all__ = ["database"]  # the fixture, used by name

DEADLINE_MS = 200


def test_a_group_the_database_does_not_answer_is_refused_at_once_when_its_deadline_passes(
    database: Database,
) -> None:
    async def scenario() -> None:
        store = PostgresEventStore("postgresql://unused", statement_timeout_ms=DEADLINE_MS)
        await store.start()
        try:
            first = store.append_tracked([event()])
            assert await database.next_commit() == 1
            database.finish()
            await first
            # Given three requests committed together, whose commit never comes back
            group = [store.append_tracked([event()]) for _ in range(3)]
            assert await database.next_commit() == 3
            started = time.monotonic()
            # Then each is refused once the deadline passes, all together (not one by one)
            results = await asyncio.wait_for(
                asyncio.gather(*group, return_exceptions=True), timeout=5
            )
            waited = time.monotonic() - started
            assert all(isinstance(r, StoreUnavailable) for r in results), results
            assert "send them again with the same event ids" in str(results[0])
            assert waited < 3 * DEADLINE_MS / 1000
            assert database.sizes == [1, 3]  # no request was committed again on its own
            # And the next request goes on (a new connection), answered when it commits
            later = store.append_tracked([event()])
            assert await database.next_commit() == 1
            database.finish()
            await asyncio.wait_for(later, timeout=5)
        finally:
            await store.close()

    asyncio.run(scenario())


def test_a_request_whose_events_fail_alone_does_not_fail_the_others(database: Database) -> None:
    """A refusal that is not the database's absence is still retried request by request."""

    async def scenario() -> None:
        store = PostgresEventStore("postgresql://unused", window_us=0)
        await store.start()
        try:
            first = store.append_tracked([event()])
            assert await database.next_commit() == 1
            database.finish()
            await first
            group = [store.append_tracked([event()]) for _ in range(2)]
            assert await database.next_commit() == 2
            database.commits[-1].set_exception(ValueError("a bad row"))
            for _ in group:
                assert await database.next_commit() == 1
                database.finish()
            await asyncio.wait_for(asyncio.gather(*group), timeout=5)
        finally:
            await store.close()

    asyncio.run(scenario())
