"""A projection worker: read a batch, apply it and save positions in one transaction."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg

from eventlens.eventstore.port import EventReader
from eventlens.projections import positions
from eventlens.projections.projection import Projection

log = logging.getLogger(__name__)

BATCH = 2000
PROJECTED_CHANNEL = "eventlens_projected"
IDLE_WAIT = 0.5


class ProjectionWorker:
    def __init__(
        self,
        conninfo: str,
        projection: Projection,
        reader_factory: Callable[[Callable[[], dict[str, int]]], EventReader],
        batch_size: int = BATCH,
    ) -> None:
        self.projection = projection
        self._conninfo = conninfo
        self._reader_factory = reader_factory
        self._batch_size = batch_size
        self.applied = 0
        self.last_applied_at: float | None = None

    def setup(self) -> None:
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-setup'))")
            try:
                conn.execute(positions.DDL)
                self.projection.setup(conn)
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-setup'))")

    def run(self, stop: threading.Event) -> None:
        with self.running() as step:
            while not stop.is_set():
                step()

    @contextmanager
    def running(self) -> Iterator[Callable[[], int]]:
        """Open a connection and a reader; yields `step`, which applies one batch."""
        self.setup()
        with psycopg.connect(self._conninfo) as conn:
            reader = self._reader_factory(lambda: self._load(conn))
            reader.open(self._load(conn))
            try:
                yield lambda: self.step(conn, reader)
            finally:
                reader.close()

    def step(self, conn: psycopg.Connection, reader: EventReader) -> int:
        batch = reader.read_batch(self._batch_size, IDLE_WAIT)
        if not batch.records:
            return 0
        try:
            with conn.transaction():
                self.projection.apply(conn, batch.records)
                positions.save_positions(
                    conn, self.projection.name, batch.start_positions, batch.next_positions
                )
                # Delivered at commit: live subscriptions re-query the read models.
                conn.execute("SELECT pg_notify(%s, %s)", (PROJECTED_CHANNEL, self.projection.name))
        except positions.PositionConflict as conflict:
            log.info("%s; re-reading from the stored positions", conflict)
            reader.rewind(self._load(conn))
            return 0
        self.applied += len(batch.records)
        self.last_applied_at = time.time()
        return len(batch.records)

    def _load(self, conn: psycopg.Connection) -> dict[str, int]:
        with conn.transaction():
            return positions.load_positions(conn, self.projection.name)
