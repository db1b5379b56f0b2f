"""A projection worker: read a batch, apply it and save positions in one transaction."""

from __future__ import annotations

import logging
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from eventlens.eventstore.port import EventReader
from eventlens.projections import positions
from eventlens.projections.projection import Projection, counted_streams
from eventlens.projections.read_ahead import ReadAhead

log = logging.getLogger(__name__)

# At most this many records a batch: under a backlog, a batch's rows of the rollups and
# sketches are shared by more of its events; under a trickle, batches stay small anyway.
# Larger batches cost the worker memory (docs/BENCHMARKS.md, "Replay's batch size").
BATCH = 5000


def lock_key(projection: str) -> int:
    """The advisory lock a replay's swap takes exclusively and live batches take shared."""
    return zlib.crc32(f"eventlens-projection:{projection}".encode()) - 2**31


PROJECTED_CHANNEL = "eventlens_projected"
IDLE_WAIT = 0.5
# Under a steady trickle, apply at most this often: every batch costs a transaction and
# ten statements however few events it holds, and dashboards need not hear faster.
APPLY_INTERVAL = 0.05


class ProjectionWorker:
    def __init__(
        self,
        conninfo: str,
        projection: Projection[Any],
        reader_factory: Callable[[Callable[[], dict[str, int]]], EventReader],
        batch_size: int = BATCH,
        *,
        name: str | None = None,
        search_path: str | None = None,
        live: bool = True,
    ) -> None:
        """`name` keys the stored positions (default: the projection's); `search_path` puts the
        read models in another schema (replay builds there); a `live` worker takes the
        projection's shared lock per batch so a replay's swap can pause it."""
        self.projection = projection
        self.name = name or projection.name
        self._search_path = search_path
        self._live = live
        self._conninfo = conninfo
        self._reader_factory = reader_factory
        self._batch_size = batch_size
        self.applied = 0
        self.applied_events = 0  # records of `counted_streams`: what a user calls events
        self._counted = counted_streams(projection.streams)
        self.last_applied_at: float | None = None

    def _connect(self, autocommit: bool = False) -> psycopg.Connection:
        # No server-side prepared statements: a replay swaps the tables they would point at.
        conn = psycopg.connect(self._conninfo, autocommit=autocommit, prepare_threshold=None)
        # Read models and their positions commit together, so a crash that loses the last
        # commits loses both and they are projected again: no need to wait for the WAL flush.
        conn.execute("SET synchronous_commit TO off")
        if self._search_path:
            conn.execute(
                sql.SQL("SET search_path TO {}, public").format(sql.Identifier(self._search_path))
            )
        if not autocommit:
            conn.commit()
        return conn

    def setup(self) -> None:
        with self._connect(autocommit=True) as conn:
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
        """Open connections, a reader and its read-ahead; yields `step`, which applies one
        batch (0 when none came within the idle wait)."""
        self.setup()
        with self._connect() as conn, self._connect(autocommit=True) as positions_conn:
            # The reader loads positions from its own thread (a Kafka rebalance), so on a
            # connection of its own, outside the writer's transactions.
            reader = self._reader_factory(lambda: self._load(positions_conn))
            reader.open(self._load(positions_conn))
            ahead = ReadAhead(
                reader, self.projection.prepare, self._batch_size, IDLE_WAIT, APPLY_INTERVAL
            )
            ahead.start()
            try:
                yield lambda: self.step(conn, ahead, reader)
            finally:
                ahead.stop()
                reader.close()

    def step(self, conn: psycopg.Connection, ahead: ReadAhead[Any], reader: EventReader) -> int:
        read = ahead.next()
        if read is None:
            return 0
        batch = read.batch
        try:
            with conn.transaction():
                if self._live:
                    conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (lock_key(self.name),))
                self.projection.apply(conn, read.prepared)
                positions.save_positions(
                    conn, self.name, batch.start_positions, batch.next_positions
                )
                # Delivered at commit: live subscriptions re-query the read models.
                conn.execute("SELECT pg_notify(%s, %s)", (PROJECTED_CHANNEL, self.projection.name))
        except positions.PositionConflict as conflict:
            log.info("%s; re-reading from the stored positions", conflict)
            ahead.stop()
            # What the rolled-back transaction made (a new schema's table) is gone: set up
            # again rather than trust what the projection remembers of it.
            self.setup()
            reader.rewind(self._load(conn))
            ahead.start()
            return 0
        self.applied += len(batch.records)
        if len(self._counted) == len(self.projection.streams):
            self.applied_events += len(batch.records)
        else:
            self.applied_events += sum(1 for r in batch.records if r.stream in self._counted)
        self.last_applied_at = time.time()
        return len(batch.records)

    def _load(self, conn: psycopg.Connection) -> dict[str, int]:
        with conn.transaction():
            return positions.load_positions(conn, self.name)
