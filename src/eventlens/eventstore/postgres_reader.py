"""Reads the PostgreSQL event log in global order, woken by its streams' NOTIFY."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import psycopg
from psycopg import sql

from eventlens.eventstore.port import REJECTED_STREAM, TRACKED_STREAM, Batch, StoredRecord
from eventlens.eventstore.postgres_schema import LOG_TABLE, notify_channel


class PostgresEventReader:
    """Reads the log in global order from a position; wakes on its streams' NOTIFY instead of
    polling."""

    SOURCE = "log"

    def __init__(
        self, conninfo: str, streams: Sequence[str] = (TRACKED_STREAM, REJECTED_STREAM)
    ) -> None:
        self._conninfo = conninfo
        self._streams = list(streams)
        self._conn: psycopg.Connection | None = None
        self._listen: psycopg.Connection | None = None
        self._next = 1

    def open(self, positions: dict[str, int]) -> None:
        self._stored: int | None = positions.get(self.SOURCE)
        self._next = self._stored or 1
        self._conn = psycopg.connect(self._conninfo, autocommit=True)
        # This connection runs one query: the next positions, in order. The planner must
        # walk the index; on a young table its statistics can talk it into a full scan and
        # sort of the whole backlog instead.
        self._conn.execute("SET enable_seqscan = off")
        self._conn.execute("SET enable_sort = off")
        self._listen = psycopg.connect(self._conninfo, autocommit=True)
        for stream in self._streams:
            self._listen.execute(
                sql.SQL("LISTEN {}").format(sql.Identifier(notify_channel(stream)))
            )

    def read_batch(self, max_records: int, timeout: float) -> Batch:
        records = self._select(max_records)
        if not records:
            self._wait(timeout)
            records = self._select(max_records)
        if not records:
            return Batch([], {}, {})
        start = self._stored
        self._next = records[-1].position + 1
        self._stored = self._next
        return Batch(records, {self.SOURCE: start}, {self.SOURCE: self._next})

    def rewind(self, stored: dict[str, int]) -> None:
        self._stored = stored.get(self.SOURCE)
        self._next = self._stored or 1

    def _select(self, limit: int) -> list[StoredRecord]:
        assert self._conn is not None, "open() first"
        rows = self._conn.execute(self._query, {"next": self._next, "limit": limit}).fetchall()
        return [StoredRecord(s, self.SOURCE, p, payload.encode()) for s, p, payload in rows]

    @cached_property
    def _query(self) -> sql.Composed:
        """The next records of the streams in log order: per stream a walk of the (stream,
        position) index, merged. A stream that is rare (rejected events) is found at once,
        not by walking every later position of the others."""
        per_stream = [
            sql.SQL(
                "(SELECT stream, position, payload FROM {table} WHERE stream = {stream} "
                "AND position >= %(next)s ORDER BY position LIMIT %(limit)s)"
            ).format(table=sql.Identifier(LOG_TABLE), stream=sql.Literal(stream))
            for stream in self._streams
        ]
        return sql.SQL("SELECT * FROM ({}) AS next ORDER BY position LIMIT %(limit)s").format(
            sql.SQL(" UNION ALL ").join(per_stream)
        )

    def _wait(self, timeout: float) -> None:
        assert self._listen is not None
        # Any notification (or the timeout) ends the wait; the next select reads what came.
        for _ in self._listen.notifies(timeout=timeout, stop_after=1):
            pass

    def close(self) -> None:
        for conn in (self._conn, self._listen):
            if conn is not None:
                conn.close()
