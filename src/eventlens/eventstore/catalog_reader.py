"""Reads the catalog's notification log in PostgreSQL mode, as the Kafka relay would send it."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from eventlens.eventstore.port import CATALOG_STREAM, Batch, StoredRecord


class CatalogLogReader:
    """Reads the catalog's notification log (eventsourcing's recorder) in PostgreSQL mode.

    Records carry the same JSON as the Kafka relay writes, so projections see one format.
    """

    SOURCE = "catalog"

    def __init__(self, recorder: Any, conninfo: str, channel: str) -> None:
        self._recorder = recorder
        self._conninfo = conninfo
        self._channel = channel
        self._listen: psycopg.Connection | None = None
        self._stored: int | None = None
        self._next = 1

    def open(self, positions: dict[str, int]) -> None:
        self.rewind(positions)
        self._listen = psycopg.connect(self._conninfo, autocommit=True)
        self._listen.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))

    def rewind(self, stored: dict[str, int]) -> None:
        self._stored = stored.get(self.SOURCE)
        self._next = self._stored or 1

    def read_batch(self, max_records: int, timeout: float) -> Batch:
        from eventlens.eventstore.catalog_relay import encode_notification

        notes = self._recorder.select_notifications(start=self._next, limit=max_records)
        if not notes and self._listen is not None:
            for _ in self._listen.notifies(timeout=timeout, stop_after=1):
                pass
            notes = self._recorder.select_notifications(start=self._next, limit=max_records)
        if not notes:
            return Batch([], {}, {})
        records = [
            StoredRecord(CATALOG_STREAM, self.SOURCE, n.id, encode_notification(n)) for n in notes
        ]
        start = self._stored
        self._next = self._stored = notes[-1].id + 1
        return Batch(records, {self.SOURCE: start}, {self.SOURCE: self._next})

    def close(self) -> None:
        if self._listen is not None:
            self._listen.close()
