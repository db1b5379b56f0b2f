"""The event-store port: what the write path and the projection workers need from a store."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from eventlens.domain.tracking import RejectedEvent, TrackedEvent

TRACKED_STREAM = "analytics.events"
REJECTED_STREAM = "analytics.events.rejected"
CATALOG_STREAM = "analytics.catalog"


class StoreUnavailable(Exception):
    """The store could not durably record an append. Nothing was acknowledged."""


class EventStore(Protocol):
    """Append-only and durable: an append's future resolves only once its events are
    recorded, and fails with `StoreUnavailable` if they could not be.

    Appends are called on the store's event loop and return a future rather than being
    coroutines, so that the ingest path can answer from a callback, without a task per
    request. Appending an event id that is already recorded records nothing new.
    """

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def append_tracked(self, events: Sequence[TrackedEvent]) -> asyncio.Future[None]: ...

    def append_rejected(self, events: Sequence[RejectedEvent]) -> asyncio.Future[None]: ...


class StoredRecord(NamedTuple):
    """One recorded event as a reader sees it: its stream, payload and source position.

    A named tuple: readers make one per event, and a frozen dataclass's construction is the
    slower of the two."""

    stream: str
    source: str  # the position's key: "log" in PostgreSQL, "<topic>/<partition>" in Kafka
    position: int
    payload: bytes


@dataclass(frozen=True, slots=True)
class Batch:
    records: Sequence[StoredRecord]
    # Per source read: the next position before this batch (None: nothing stored yet) ...
    start_positions: dict[str, int | None]
    # ... and the position to resume from once this batch is applied.
    next_positions: dict[str, int]


class EventReader(Protocol):
    """A source of recorded events for one projection, resumable from stored positions."""

    def open(self, positions: dict[str, int]) -> None:
        """Start reading after the given positions (next offset per source)."""

    def read_batch(self, max_records: int, timeout: float) -> Batch: ...

    def rewind(self, stored: dict[str, int]) -> None:
        """Drop in-flight reads and continue from the given stored positions."""

    def close(self) -> None: ...
