"""Reading ahead: the next batch is read and prepared in a thread while the current one is
written, so the worker's Python work and the database's work overlap (two cores, not one)."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from eventlens.eventstore.port import Batch, EventReader, StoredRecord

Prepared = TypeVar("Prepared")

# For processes that run workers (`sys.setswitchinterval`). The writing thread mostly waits on
# the database; when an answer arrives it needs the GIL back, and by default a busy read-ahead
# thread may keep it for 5 ms, several times per batch (docs/BENCHMARKS.md, "Worker processes
# switch threads every 0.5 ms").
SWITCH_INTERVAL = 0.0005


@dataclass(frozen=True)
class ReadBatch(Generic[Prepared]):
    batch: Batch
    prepared: Prepared


class ReadAhead(Generic[Prepared]):
    """Owns the reader while running: nobody else may touch it until `stop` returns."""

    def __init__(
        self,
        reader: EventReader,
        prepare: Callable[[Sequence[StoredRecord]], Prepared],
        batch_size: int,
        idle_wait: float,
        min_interval: float = 0.0,
    ) -> None:
        self._reader = reader
        self._prepare = prepare
        self._batch_size = batch_size
        self._idle_wait = idle_wait
        self._min_interval = min_interval
        # One batch waiting beside the one being written: enough to keep both busy.
        self._ready: queue.Queue[ReadBatch[Prepared] | BaseException] = queue.Queue(maxsize=1)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="read-ahead", daemon=True)
        self._thread.start()

    def next(self) -> ReadBatch[Prepared] | None:
        """The next batch, or None when none came within the idle wait. Re-raises what the
        reading thread failed with."""
        try:
            item = self._ready.get(timeout=self._idle_wait)
        except queue.Empty:
            return None
        if isinstance(item, BaseException):
            raise item
        return item

    def stop(self) -> None:
        """Stop reading and drop what was read ahead (the caller rewinds the reader)."""
        self._stopping.set()
        while self._thread is not None and self._thread.is_alive():
            self._drain()
            self._thread.join(timeout=0.05)
        self._drain()
        self._thread = None

    def _drain(self) -> None:
        try:
            while True:
                self._ready.get_nowait()
        except queue.Empty:
            pass

    def _run(self) -> None:
        try:
            while not self._stopping.is_set():
                started = time.monotonic()
                batch = self._reader.read_batch(self._batch_size, self._idle_wait)
                if batch.records:
                    self._put(ReadBatch(batch, self._prepare(batch.records)))
                if 0 < len(batch.records) < self._batch_size:
                    # Not a backlog: let events gather rather than apply a trickle of tiny
                    # batches, each of which costs the database a transaction.
                    self._stopping.wait(self._min_interval - (time.monotonic() - started))
        except BaseException as error:  # handed to the writing thread, which raises it
            self._put(error)

    def _put(self, item: ReadBatch[Prepared] | BaseException) -> None:
        while not self._stopping.is_set():
            try:
                self._ready.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
