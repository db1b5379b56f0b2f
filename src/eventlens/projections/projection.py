"""What a projection is: a named set of read models built from recorded events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

import psycopg

from eventlens.eventstore.port import CATALOG_STREAM, StoredRecord

Prepared = TypeVar("Prepared")


class Projection(Protocol[Prepared]):
    name: str
    # The definition's version: a change makes workers rebuild the read models by replay
    # when they start (projections/versions.py). Raise it when the read models change.
    version: int
    streams: tuple[str, ...]
    # Indexes (made by `setup`) that a replay drops while it loads history and builds after.
    bulk_load_indexes: tuple[str, ...]

    def setup(self, conn: psycopg.Connection) -> None:
        """Create the read models if they do not exist (idempotent)."""

    def prepare(self, records: Sequence[StoredRecord]) -> Prepared:
        """The part of applying a batch that needs no database (decoding payloads). The
        worker runs it in its reader's thread, while the previous batch is being written."""

    def apply(self, conn: psycopg.Connection, batch: Prepared) -> None:
        """Apply a prepared batch inside the caller's transaction. Must be idempotent by
        event id."""


def counted_streams(streams: tuple[str, ...]) -> tuple[str, ...]:
    """The streams whose records a user counts as events: a projection of tracked events
    also follows the catalog, whose changes are not events of theirs."""
    return tuple(s for s in streams if s != CATALOG_STREAM) or streams
