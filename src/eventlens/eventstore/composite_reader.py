"""Several event readers read as one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventlens.eventstore.port import Batch, StoredRecord


class CompositeReader:
    """Several readers as one (a projection of tracked events that also follows the catalog).

    Each keeps its own source positions; a batch holds what any of them had ready.
    """

    def __init__(self, readers: Sequence[Any]) -> None:
        self._readers = list(readers)

    def open(self, positions: dict[str, int]) -> None:
        for reader in self._readers:
            reader.open(positions)

    def rewind(self, stored: dict[str, int]) -> None:
        for reader in self._readers:
            reader.rewind(stored)

    def read_batch(self, max_records: int, timeout: float) -> Batch:
        records: list[StoredRecord] = []
        start: dict[str, int | None] = {}
        end: dict[str, int] = {}
        for reader in self._readers:  # in order: the catalog first, then the tracked events
            if len(records) >= max_records:
                break
            batch = reader.read_batch(max_records - len(records), 0.0)
            records.extend(batch.records)
            start.update(batch.start_positions)
            end.update(batch.next_positions)
        if not records:  # nothing anywhere: wait for news on the busiest (the last) reader
            return self._readers[-1].read_batch(max_records, timeout)  # type: ignore[no-any-return]
        return Batch(records, start, end)

    def close(self) -> None:
        for reader in self._readers:
            reader.close()
