"""Unique sessions and users per day and per hour: each period's two sketches, merged with a
batch's visitors under a row lock (sketches are not additive in SQL).

A batch's periods are made, read and written back in three statements, however many there
are: a batch of live traffic touches one or two hours, but a month of imported history touches
hundreds, and one round trip per statement and period made those batches crawl. Rows are made
and locked in one order (the keys' sorted order, then the statement's ORDER BY), so two
workers merging the same periods wait for each other instead of deadlocking.
"""

from __future__ import annotations

from datetime import date, datetime

import psycopg
from psycopg import sql

from eventlens.projections.distinct_count import Sketch
from eventlens.projections.event_rows import HourlyVisitors, Visitors

# (table, its period column, the column's type)
DAILY = ("stats_daily_uniques", "day", "date")
HOURLY = ("stats_hourly_uniques", "hour", "timestamptz")

_MAKE = """
INSERT INTO {table}
SELECT k.p, k.s, k.c, '', '' FROM unnest(%s::{kind}[], %s::text[], %s::text[]) AS k(p, s, c)
ON CONFLICT DO NOTHING
"""
_LOCK = """
SELECT t.{period}, t.schema_id, t.container_id, t.sessions, t.users
FROM {table} t JOIN unnest(%s::{kind}[], %s::text[], %s::text[]) AS k(p, s, c)
  ON t.{period} = k.p AND t.schema_id = k.s AND t.container_id = k.c
ORDER BY t.{period}, t.schema_id, t.container_id
FOR UPDATE OF t
"""
_WRITE = """
UPDATE {table} t SET sessions = u.sessions, users = u.users
FROM unnest(%s::{kind}[], %s::text[], %s::text[], %s::bytea[], %s::bytea[])
  AS u(p, s, c, sessions, users)
WHERE t.{period} = u.p AND t.schema_id = u.s AND t.container_id = u.c
"""


def count_visitors(
    conn: psycopg.Connection,
    where: tuple[str, str, str],
    visitors: Visitors | HourlyVisitors,
) -> None:
    """Adds the batch's sessions and users (hashes per period, schema and adaptor) to the
    sketches of `where`, `DAILY` or `HOURLY`."""
    if not visitors:
        return
    table, period, kind = where
    names = {
        "table": sql.Identifier(table),
        "period": sql.Identifier(period),
        "kind": sql.SQL(kind),
    }
    added: list[tuple[tuple[date | datetime, str, str], tuple[set[int], set[int]]]]
    added = sorted(visitors.items())
    keys = [key for key, _ in added]
    columns = ([k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys])
    conn.execute(sql.SQL(_MAKE).format(**names), columns)
    stored = {
        (p, s, c): (sessions, users)
        for p, s, c, sessions, users in conn.execute(sql.SQL(_LOCK).format(**names), columns)
    }
    merged_sessions, merged_users = [], []
    for key, (added_sessions, added_users) in added:
        sessions, users = stored[key]
        session_sketch, user_sketch = Sketch.decode(sessions), Sketch.decode(users)
        session_sketch.add_hashes(added_sessions)
        user_sketch.add_hashes(added_users)
        merged_sessions.append(session_sketch.encode())
        merged_users.append(user_sketch.encode())
    conn.execute(sql.SQL(_WRITE).format(**names), (*columns, merged_sessions, merged_users))
