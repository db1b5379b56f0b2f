"""Writing a batch's changes to `visit_rollups` and `page_rollups`, in the batch's transaction.

Counters are added by PostgreSQL (one `json_to_recordset` upsert a table, rows in key order so
that concurrent workers lock them alike); the upsert hands back each row's visitor sketch,
which is merged with the batch's visitors in Python (a sketch is not additive in SQL) and
written back to the same rows, still locked. A row whose visits all moved elsewhere is
emptied: its sketch too, and the row itself when it has no page views left either.
"""

from __future__ import annotations

import struct
from bisect import bisect_left
from collections.abc import Collection

import orjson
import psycopg

from eventlens.projections.distinct_count import SPARSE_LIMIT, Sketch
from eventlens.projections.page_rollups import PageDays
from eventlens.projections.visit_rollups import COUNTERS, Changes

SPARSE = 0  # the tag of a sketch that is an exact set of hashes (`distinct_count.Sketch`)
_SPARSE_TAG = bytes([SPARSE])
FEW = 8  # visitors added one by one; more are merged as a set
_VISIT_KEY = "container_id, dimension, day, start_day, (md5(value)::uuid)"
_KEY_TYPES = "container_id text, dimension text, day date, value text, start_day date"
_COUNTER_TYPES = ", ".join(f"{name} bigint" for name in COUNTERS)
_COUNTERS = ", ".join(COUNTERS)
_PAGE_KEY = "container_id, day, (md5(page)::uuid)"
ADD_VISIT_COUNTS = f"""
INSERT INTO visit_rollups AS r (container_id, dimension, day, value, start_day, {_COUNTERS},
                                visitors, visitor_sketch)
SELECT container_id, dimension, day, value, start_day, {_COUNTERS}, 0, ''::bytea
FROM json_to_recordset(%s::json) AS c({_KEY_TYPES}, {_COUNTER_TYPES})
ON CONFLICT ({_VISIT_KEY}) DO UPDATE SET
    {", ".join(f"{name} = r.{name} + excluded.{name}" for name in COUNTERS)}
RETURNING ctid::text, container_id, dimension, day, value, start_day, visits, pageviews,
          visitor_sketch
"""  # noqa: S608 (column names are constants)
ADD_PAGE_COUNTS = f"""
INSERT INTO page_rollups AS r (container_id, day, page, pageviews, visitors, visitor_sketch)
SELECT container_id, day, page, pageviews, 0, ''::bytea
FROM json_to_recordset(%s::json) AS c(container_id text, day date, page text, pageviews bigint)
ON CONFLICT ({_PAGE_KEY}) DO UPDATE SET pageviews = r.pageviews + excluded.pageviews
RETURNING ctid::text, container_id, day, page, visitor_sketch
"""  # noqa: S608
# The rows just upserted are locked by this transaction, so their tuple ids stay theirs: the
# merged sketches go straight to them (binary, no index lookup, no hashing of the values).
SET_SKETCHES = """
UPDATE {table} AS r SET visitors = s.visitors, visitor_sketch = s.sketch
FROM unnest(%b::text[], %b::bigint[], %b::bytea[]) AS s(row_id, visitors, sketch)
WHERE r.ctid = s.row_id::tid
"""
SET_VISIT_SKETCHES = SET_SKETCHES.format(table="visit_rollups")
SET_PAGE_SKETCHES = SET_SKETCHES.format(table="page_rollups")
DELETE_EMPTY_VISIT_ROWS = """
DELETE FROM visit_rollups WHERE ctid = ANY(%b::text[]::tid[]) AND visits = 0 AND pageviews = 0
"""


class Sketches:
    """Sketches to write back, by tuple id."""

    def __init__(self) -> None:
        self.rows: list[str] = []
        self.visitors: list[int] = []
        self.sketches: list[bytes] = []

    def add(self, row: str, visitors: int, sketch: bytes) -> None:
        self.rows.append(row)
        self.visitors.append(visitors)
        self.sketches.append(sketch)

    def write(self, conn: psycopg.Connection, statement: str) -> None:
        if self.rows:
            conn.execute(statement, (self.rows, self.visitors, self.sketches))


def with_visitors(stored: bytes, visitors: Collection[int]) -> tuple[bytes, int]:
    """A stored sketch with `visitors` added, and its count. A dense sketch's count is never
    below what made it dense, so a count up to `SPARSE_LIMIT` always means an exact set (the
    query side relies on it to count unions exactly)."""
    if len(stored) <= 1 or stored[0] == SPARSE:
        # Most rows hold a few hashes and get one or two: inserted into the sorted hashes,
        # which are unpacked and packed in C, instead of a set decoded and sorted again.
        count = (len(stored) - 1) // 8 if stored else 0
        held = list(struct.unpack(f">{count}Q", stored[1:])) if count else []
        if len(visitors) > FEW:
            held = sorted(set(held).union(visitors))
        else:
            for visitor in visitors:
                at = bisect_left(held, visitor)
                if at == len(held) or held[at] != visitor:
                    held.insert(at, visitor)
        if len(held) <= SPARSE_LIMIT:
            if len(held) == count:
                return stored, count
            return _SPARSE_TAG + struct.pack(f">{len(held)}Q", *held), len(held)
    sketch = Sketch.decode(stored)
    sketch.add_hashes(visitors)
    count = sketch.count()
    if sketch.hashes is None:
        count = max(count, SPARSE_LIMIT + 1)
    return sketch.encode(), count


def write_visit_changes(conn: psycopg.Connection, changes: Changes) -> None:
    if not changes.counts:
        return
    # Sketches come back in binary: as text they would travel hex-encoded, twice the bytes.
    rows = conn.execute(ADD_VISIT_COUNTS, (orjson.dumps(changes.records()).decode(),), binary=True)
    sketches = Sketches()
    emptied: list[str] = []
    for row, container, dimension, day, value, start_day, visits, pageviews, stored in rows:
        if visits == 0:
            if pageviews == 0:
                emptied.append(row)
            elif stored:
                sketches.add(row, 0, b"")
            continue
        added = changes.visitors.get((container, dimension, day, value, start_day))
        if added:
            sketch, count = with_visitors(stored, added)
            if sketch != stored:
                sketches.add(row, count, sketch)
    sketches.write(conn, SET_VISIT_SKETCHES)
    if emptied:
        conn.execute(DELETE_EMPTY_VISIT_ROWS, (emptied,))


def write_page_days(conn: psycopg.Connection, days: PageDays) -> None:
    if not days:
        return
    counts = [
        {"container_id": c, "day": day, "page": page, "pageviews": tally.pageviews}
        for (c, day, page), tally in sorted(days.items())
    ]
    sketches = Sketches()
    for row, container, day, page, stored in conn.execute(
        ADD_PAGE_COUNTS, (orjson.dumps(counts).decode(),), binary=True
    ):
        tally = days[(container, day, page)]
        if tally.visitors:
            sketch, count = with_visitors(stored, tally.visitors)
            if sketch != stored:
                sketches.add(row, count, sketch)
    sketches.write(conn, SET_PAGE_SKETCHES)
