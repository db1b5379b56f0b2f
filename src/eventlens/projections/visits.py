"""Visits: a visitor's events until 30 minutes (configurable) pass without one.

The projection gives every event with a visitor the id of its visit (`visit_id` in
`event_logs`: the id of the visit's first event). A visit is keyed by the client's session id
when the event names one (identified tracking, and events recorded before visitor ids
existed), else by the cookieless visitor id (`visit_key`). What it must know from earlier
batches, each key's latest visit and when it last saw an event, is read from `visits` itself,
which every batch writes in its own transaction: a worker killed at any point resumes with the
right visits, and no state is kept anywhere else. Each visit's totals, entry and exit are
merged into `visits` batch by batch (`visit_rows.py`).

A visit is rolled up (`visit_rollups.py`) once it is over: when the events recorded have
moved past its last one by the timeout and a margin for clocks (`closing_time`). Until then
it is `rolled = false`, and queries read it from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import orjson
import psycopg

from eventlens.projections.event_rows import EventRow
from eventlens.projections.visit_rollups import STATE_COLUMNS
from eventlens.projections.visit_rows import ENTRY_COLUMNS, visitor_of

DDL = """
ALTER TABLE event_logs ADD COLUMN IF NOT EXISTS visit_id text;
CREATE TABLE IF NOT EXISTS visits (
    container_id     text NOT NULL,
    visit_id         text NOT NULL,
    visit_key        text NOT NULL,
    schema_id        text NOT NULL,
    visitor_id       text NOT NULL,
    started_at       timestamptz NOT NULL,
    ended_at         timestamptz NOT NULL,
    entry_page       text,
    exit_page        text,
    pageviews        integer NOT NULL,
    events           integer NOT NULL,
    interactive      integer NOT NULL,
    hostname text, source text, channel text, referrer text,
    utm_source text, utm_medium text, utm_campaign text, utm_content text, utm_term text,
    device text, browser text, browser_version text, os text, os_version text,
    country text, region text, city text,
    PRIMARY KEY (container_id, visit_id)
) WITH (fillfactor = 70);
-- Rows from before visits were rolled up when over were rolled up already: true for them.
ALTER TABLE visits ADD COLUMN IF NOT EXISTS rolled boolean NOT NULL DEFAULT true;
ALTER TABLE visits ALTER COLUMN rolled SET DEFAULT false;
ALTER TABLE visits ADD COLUMN IF NOT EXISTS visitor_hash bytea;
ALTER TABLE visits ADD COLUMN IF NOT EXISTS last_day date;
ALTER TABLE visits ADD COLUMN IF NOT EXISTS last_day_pageviews integer;
-- The visits still open: few, and read by every query the rollups answer.
CREATE INDEX IF NOT EXISTS visits_open ON visits (container_id) WHERE NOT rolled;
CREATE INDEX IF NOT EXISTS visits_started ON visits (container_id, started_at);
-- Not on ended_at, which every batch moves: the row's updates stay HOT.
CREATE INDEX IF NOT EXISTS visits_key ON visits (container_id, visit_key);
"""
_ENTRY = ", ".join(ENTRY_COLUMNS)
_ENTRY_TYPES = ", ".join(f"{column} text" for column in ENTRY_COLUMNS)
_STATE = ", ".join(
    "coalesce(v.last_day_pageviews, v.pageviews)"
    if column == "last_day_pageviews"
    else f"v.{column}"
    for column in STATE_COLUMNS
)
# A batch's part of a visit merged into its row: counts add up, the first event's entry and
# the last page viewed win, whichever batch brought them; the page views of the last day
# (in the site's zone) start again on a later day. A visit rolled up already is open again,
# and comes back as it was (locked first, so no other transaction changes it in between) for
# the rollups to take it out: one statement, whatever the PostgreSQL version.
MERGE_VISITS = f"""
WITH part AS (
    SELECT * FROM json_to_recordset(%s::json) AS r(
        container_id text, visit_id text, visit_key text, schema_id text, visitor text,
        visitor_hash text, started_at timestamptz, ended_at timestamptz, last_day date,
        last_day_pageviews integer, entry_page text, exit_page text,
        pageviews integer, events integer, interactive integer, {_ENTRY_TYPES})
),
reopened AS (
    SELECT {_STATE} FROM visits v
    JOIN part p ON v.container_id = p.container_id AND v.visit_id = p.visit_id
    WHERE v.rolled
    ORDER BY v.container_id, v.visit_id
    FOR UPDATE OF v
),
merged AS (
    INSERT INTO visits AS v (container_id, visit_id, visit_key, schema_id, visitor_id,
                             visitor_hash, started_at, ended_at, last_day, last_day_pageviews,
                             entry_page, exit_page, pageviews, events, interactive, {_ENTRY})
    SELECT container_id, visit_id, visit_key, schema_id, visitor, decode(visitor_hash, 'hex'),
           started_at, ended_at, last_day, last_day_pageviews, entry_page, exit_page,
           pageviews, events, interactive, {_ENTRY}
    FROM part
    ON CONFLICT (container_id, visit_id) DO UPDATE SET
        pageviews = v.pageviews + excluded.pageviews,
        events = v.events + excluded.events,
        interactive = v.interactive + excluded.interactive,
        exit_page = CASE WHEN excluded.exit_page IS NOT NULL AND excluded.ended_at >= v.ended_at
                         THEN excluded.exit_page ELSE v.exit_page END,
        ended_at = greatest(v.ended_at, excluded.ended_at),
        entry_page = CASE WHEN excluded.started_at < v.started_at
                          THEN excluded.entry_page ELSE v.entry_page END,
        started_at = least(v.started_at, excluded.started_at),
        last_day_pageviews = CASE
            WHEN v.last_day IS NULL OR excluded.last_day > v.last_day
                THEN excluded.last_day_pageviews
            WHEN excluded.last_day = v.last_day
                THEN coalesce(v.last_day_pageviews, 0) + excluded.last_day_pageviews
            ELSE v.last_day_pageviews END,
        last_day = greatest(v.last_day, excluded.last_day),
        visitor_hash = coalesce(v.visitor_hash, excluded.visitor_hash),
        rolled = false
)
SELECT * FROM reopened
"""  # noqa: S608 (column names are constants)

# The visits over by `%s`, rolled up now; locked rows are left to the next time (a visit
# being merged by another worker in Kafka mode is not over).
CLOSE_VISITS = f"""
UPDATE visits v SET rolled = true
FROM (SELECT container_id, visit_id FROM visits
      WHERE NOT rolled AND ended_at < %s
      ORDER BY container_id, visit_id
      FOR UPDATE SKIP LOCKED) AS over
WHERE v.container_id = over.container_id AND v.visit_id = over.visit_id
RETURNING {_STATE}
"""  # noqa: S608

# The keys travel as one JSON parameter, parsed by PostgreSQL in C (psycopg dumps arrays
# element by element in Python).
LATEST_VISITS = """
SELECT DISTINCT ON (v.container_id, v.visit_key)
       v.container_id, v.visit_key, v.visit_id, v.ended_at
FROM visits v JOIN json_to_recordset(%s::json) AS k(c text, v text)
  ON v.container_id = k.c AND v.visit_key = k.v
ORDER BY v.container_id, v.visit_key, v.ended_at DESC
"""

# Beyond the timeout, how far a client's clock may be behind the server's before its event
# comes too late for a visit already rolled up.
CLOSING_MARGIN = timedelta(minutes=5)
CLOSING_STEP = timedelta(seconds=10)

Key = tuple[str, str]  # (container_id, visitor)
State = tuple[str, datetime]  # (visit_id, last event's time)


def assign_visits(
    rows: Sequence[EventRow], states: dict[Key, State], timeout: timedelta
) -> list[str | None]:
    """Each row's visit id (None: the event has no visitor), in the rows' order; `states` is
    updated in place. Events are taken in the order they were recorded, which a replay
    repeats, so it gives the same visits; an event older than its visitor's last one (sent
    late) joins the current visit."""
    visits: list[str | None] = [None] * len(rows)
    for index, row in enumerate(rows):
        visitor = visitor_of(row)
        if visitor is None:
            continue
        key = (row.container_id or "", visitor)
        moment = datetime.fromisoformat(row.occurred_at)
        state = states.get(key)
        if state is None or moment - state[1] > timeout:
            state = (row.event_id, moment)
        elif moment > state[1]:
            state = (state[0], moment)
        states[key] = state
        visits[index] = state[0]
    return visits


def closing_time(latest_received: datetime, timeout: timedelta) -> datetime:
    """Visits that ended before this are over: no event recorded from now on can join them,
    unless its time is off the server's by more than the margin (it then takes its visit
    back out of the rollups: `MERGE_VISITS`)."""
    return latest_received - timeout - CLOSING_MARGIN


class VisitTracker:
    """Finds the visits a batch continues, and those it leaves over, inside the batch's
    transaction."""

    def __init__(self, timeout: timedelta) -> None:
        self.timeout = timeout
        self._closed_before: datetime | None = None

    def visits(self, conn: psycopg.Connection, rows: Sequence[EventRow]) -> list[str | None]:
        keys = sorted(
            {(row.container_id or "", v) for row in rows if (v := visitor_of(row)) is not None}
        )
        if not keys:
            return [None] * len(rows)
        asked = orjson.dumps([{"c": c, "v": v} for c, v in keys]).decode()
        found = conn.execute(LATEST_VISITS, (asked,)).fetchall()
        states: dict[Key, State] = {(c, v): (visit, last) for c, v, visit, last in found}
        return assign_visits(rows, states, self.timeout)

    def close(self, conn: psycopg.Connection, rows: Sequence[EventRow]) -> list[tuple[Any, ...]]:
        """The visits over once `rows` are recorded, marked rolled up (as `STATE_COLUMNS`).
        Looked for when the closing time has moved on by `CLOSING_STEP` since the last time."""
        if not rows:
            return []
        latest = datetime.fromisoformat(max(row.received_at for row in rows))
        closing = closing_time(latest, self.timeout)
        if self._closed_before is not None and closing < self._closed_before + CLOSING_STEP:
            return []
        self._closed_before = closing
        return conn.execute(CLOSE_VISITS, (closing,)).fetchall()
