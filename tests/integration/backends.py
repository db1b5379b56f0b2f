"""The two event-store backends behind one interface, for the contract suite."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import psycopg

from eventlens.config import Settings
from eventlens.domain.tracking import TrackedEvent
from eventlens.eventstore.catalog import Catalog, open_catalog
from eventlens.eventstore.port import EventReader, EventStore
from eventlens.projections.projection import Projection
from eventlens.projections.worker import ProjectionWorker
from eventlens.runtime.wiring import make_store, reader_factory


@dataclass
class Backend:
    name: str
    settings: Settings
    database_url: str
    _catalog: Catalog | None = None

    @contextmanager
    def running_store(self) -> Iterator[StoreHandle]:
        handle = StoreHandle(make_store(self.settings, self.database_url))
        handle.call(handle.store.start())
        try:
            yield handle
        finally:
            handle.call(handle.store.close())
            handle.close()

    def reader(
        self, projection: Projection[Any]
    ) -> Callable[[Callable[[], dict[str, int]]], EventReader]:
        return reader_factory(self.settings, self.database_url, projection, self.catalog)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = open_catalog(self.database_url)
        return self._catalog

    def worker(self, projection: Projection[Any]) -> ProjectionWorker:
        return ProjectionWorker(
            self.database_url, projection, self.reader(projection), batch_size=50
        )

    def relay_catalog(self) -> None:
        """In Kafka mode the catalog reaches its topic through the outbox relay."""
        if not self.settings.kafka_bootstrap:
            return
        from eventlens.eventstore.catalog_relay import CatalogRelay
        from eventlens.eventstore.kafka_topics import ensure_topics
        from eventlens.eventstore.port import CATALOG_STREAM

        prefix = self.settings.kafka_topic_prefix
        ensure_topics(self.settings.kafka_bootstrap, 2, 1, prefix)
        relay = CatalogRelay(
            self.catalog.recorder,
            self.settings.kafka_bootstrap,
            prefix + CATALOG_STREAM,
            f"{prefix}relay",
        )
        relay.start()
        while relay.relay_once():
            pass
        relay.close()

    def count(self, query: str, *params: Any) -> int:
        with psycopg.connect(self.database_url) as conn:
            row = conn.execute(query, params).fetchone()
        assert row is not None
        return int(row[0])


class StoreHandle:
    """Runs an async store on its own event loop thread so sync tests can call it."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

    def call(self, awaited: Any, timeout: float = 60) -> Any:
        """Run a coroutine, or a function returning an awaitable, on the store's loop."""

        async def run() -> Any:
            return await (awaited() if callable(awaited) else awaited)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def append(self, events: Sequence[TrackedEvent]) -> None:
        self.call(lambda: self.store.append_tracked(events))

    def append_concurrently(self, batches: Sequence[Sequence[TrackedEvent]]) -> None:
        async def all_at_once() -> None:
            await asyncio.gather(*(self.store.append_tracked(b) for b in batches))

        self.call(all_at_once())

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()


def tracked(
    session: str = "s1", event_type: str = "page_view", event_id: UUID | None = None, **props: Any
) -> TrackedEvent:
    return TrackedEvent(
        event_id=event_id or uuid4(),
        schema_id="portfolio_events",
        event_type=event_type,
        received_at=datetime.now(UTC),
        container_id="CAP-ABC123",
        user_id="u1",
        session_id=session,
        properties=props,
    )


def drain(worker: ProjectionWorker, at_least: int, timeout: float = 60.0) -> int:
    """Run the worker until it has applied `at_least` records and then found nothing more."""
    deadline = time.monotonic() + timeout
    applied = 0
    with worker.running() as step:
        while time.monotonic() < deadline:
            got = step()
            applied += got
            if applied >= at_least and got == 0:
                break
    return applied
