"""Events appended to the PostgreSQL event store at a steady rate while something else is
measured (a projection catching up with ingest going on beside it)."""

from __future__ import annotations

import asyncio
import threading
import time

from bench.history import History, generate

RATE = 1_000  # events/s
BATCH = 100  # events an append: 10 appends a second at RATE


class LiveAppends:
    """A thread appending `RATE` events/s of the seed's site (`bench.history.generate`) until
    stopped; `history` counts exactly the events appended."""

    def __init__(self, database_url: str, container_id: str) -> None:
        self.url = database_url
        self.container_id = container_id
        self.history = History()
        self.appended = 0
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-appends", daemon=True)

    def start(self) -> LiveAppends:
        self._thread.start()
        return self

    def stop(self) -> int:
        """Stop after the append in flight; the events appended. Raises the thread's error."""
        self._stop.set()
        self._thread.join(120)
        if self.error is not None:
            raise self.error
        return self.appended

    def _run(self) -> None:
        try:
            asyncio.run(self._append())
        except BaseException as error:  # reported by stop()
            self.error = error

    async def _append(self) -> None:
        from eventlens.eventstore.postgres import PostgresEventStore

        store = PostgresEventStore(self.url)
        await store.start()
        try:
            counted = History()  # what `generate` made, batch by batch
            batches = generate(10**9, self.container_id, counted, seed=11)
            started = time.monotonic()
            while not self._stop.is_set():
                generated = next(batches)
                for first in range(0, len(generated), BATCH):
                    if self._stop.is_set():
                        break
                    batch = generated[first : first + BATCH]
                    await store.append_tracked(batch)
                    self.appended += len(batch)
                    for event in batch:
                        self.history.by_type[event.event_type] += 1
                    pause = started + self.appended / RATE - time.monotonic()
                    if pause > 0:
                        await asyncio.sleep(pause)
        finally:
            await store.close()
