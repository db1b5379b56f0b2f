"""What a projection is: a named set of read models built from recorded events."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import psycopg

from eventlens.eventstore.port import StoredRecord


class Projection(Protocol):
    name: str
    streams: tuple[str, ...]

    def setup(self, conn: psycopg.Connection) -> None:
        """Create the read models if they do not exist (idempotent)."""

    def apply(self, conn: psycopg.Connection, records: Sequence[StoredRecord]) -> None:
        """Apply a batch inside the caller's transaction. Must be idempotent by event id."""
