"""The unique-count sketches the read side has already fetched, by row version.

A unique count over 30 days merges a sessions and a users sketch for every day and adaptor in
the range: kilobytes each, a megabyte for a busy site, far more than the rest of a stats
query reads. Past days rarely change, so the API keeps the sketches it has read, each with
the version of the row it came from, and a query fetches only the sketches whose row has
changed since: in a steady state, today's.

The row version is PostgreSQL's `xmin`, the id of the transaction that wrote that version of
the row. Every UPDATE writes a new version under its own transaction's id, and the tables a
replay swaps in were written by the replay's transactions, so a row whose `xmin` equals the
cached one holds the cached bytes. (Transaction ids wrap around after 2^32 transactions; a
row updated again by the very transaction id it was cached at, 4 billion transactions later,
is the one case the version misses.)
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from eventlens.projections.distinct_count import Mergeable

# (day or hour, schema_id, container_id): the primary key of `stats_daily_uniques` or
# `stats_hourly_uniques` (one cache per table: a date and a datetime do not compare).
Key = tuple[date, str, str]

DEFAULT_MAX_BYTES = 32 << 20  # about 4,000 days-and-adaptors of dense sketches


class CachedSketches(NamedTuple):
    version: str  # the row's xmin when it was read
    sessions: Mergeable  # decoded once, merged by every query that needs it
    users: Mergeable


class SketchCache:
    """Least recently used first out, once the sketches held pass `max_bytes`.

    Coroutines share it without a lock: nothing in it awaits, and a query works on the
    snapshot `between` gave it, so an entry evicted meanwhile cannot go missing mid-query.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, CachedSketches] = OrderedDict()
        self._bytes = 0

    def between(self, first: date, last: date) -> dict[Key, CachedSketches]:
        """The held sketches of these days or hours (a copy: the query's view of the cache)."""
        return {key: entry for key, entry in self._entries.items() if first <= key[0] <= last}

    def used(self, key: Key) -> None:
        if key in self._entries:
            self._entries.move_to_end(key)

    def hold(self, key: Key, entry: CachedSketches) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= _size(old)
        self._entries[key] = entry
        self._bytes += _size(entry)
        while self._bytes > self.max_bytes and self._entries:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= _size(evicted)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        """Bytes of sketches held."""
        return self._bytes


def _size(entry: CachedSketches) -> int:
    return len(entry.sessions) + len(entry.users)


@dataclass
class UniqueSketches:
    """The sketches held of each table: whole days, and the hours of days a range cuts."""

    daily: SketchCache = field(default_factory=SketchCache)
    hourly: SketchCache = field(default_factory=SketchCache)
