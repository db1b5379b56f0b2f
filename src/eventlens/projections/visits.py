"""Visits: a visitor's events until 30 minutes (configurable) pass without one.

The projection gives every event with a visitor the id of its visit (`visit_id` in
`event_logs`: the id of the visit's first event). A visit is keyed by the client's session id
when the event names one (identified tracking, and events recorded before visitor ids
existed), else by the cookieless visitor id (`visit_key`). What it must know from earlier
batches, each key's latest visit and when it last saw an event, is read from `visits` itself,
which every batch writes in its own transaction: a worker killed at any point resumes with the
right visits, and no state is kept anywhere else. Each visit's totals, entry and exit are
merged into `visits` batch by batch (`visit_rows.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

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
CREATE INDEX IF NOT EXISTS visits_started ON visits (container_id, started_at);
-- Not on ended_at, which every batch moves: the row's updates stay HOT.
CREATE INDEX IF NOT EXISTS visits_key ON visits (container_id, visit_key);
"""
_ENTRY = ", ".join(ENTRY_COLUMNS)
_ENTRY_TYPES = ", ".join(f"{column} text" for column in ENTRY_COLUMNS)
_STATE = ", ".join(f"v.{column}" for column in STATE_COLUMNS)
# A batch's part of a visit merged into its row: counts add up, the first event's entry and
# the last page viewed win, whichever batch brought them. The rows touched are read back as
# they were before (locked first, so no other transaction changes them in between) and as
# they are after, for the rollups to take each visit's old contribution out and put its new
# one in: one statement, whatever the PostgreSQL version.
MERGE_VISITS = f"""
WITH part AS (
    SELECT * FROM json_to_recordset(%s::json) AS r(
        container_id text, visit_id text, visit_key text, schema_id text, visitor text,
        started_at timestamptz, ended_at timestamptz, entry_page text, exit_page text,
        pageviews integer, events integer, interactive integer, {_ENTRY_TYPES})
),
before AS (
    SELECT {_STATE} FROM visits v
    JOIN part p ON v.container_id = p.container_id AND v.visit_id = p.visit_id
    ORDER BY v.container_id, v.visit_id
    FOR UPDATE OF v
),
after AS (
    INSERT INTO visits AS v (container_id, visit_id, visit_key, schema_id, visitor_id,
                             started_at, ended_at, entry_page, exit_page, pageviews, events,
                             interactive, {_ENTRY})
    SELECT * FROM part
    ON CONFLICT (container_id, visit_id) DO UPDATE SET
        pageviews = v.pageviews + excluded.pageviews,
        events = v.events + excluded.events,
        interactive = v.interactive + excluded.interactive,
        exit_page = CASE WHEN excluded.exit_page IS NOT NULL AND excluded.ended_at >= v.ended_at
                         THEN excluded.exit_page ELSE v.exit_page END,
        ended_at = greatest(v.ended_at, excluded.ended_at),
        entry_page = CASE WHEN excluded.started_at < v.started_at
                          THEN excluded.entry_page ELSE v.entry_page END,
        started_at = least(v.started_at, excluded.started_at)
    RETURNING {_STATE}
)
SELECT false, * FROM before
UNION ALL
SELECT true, * FROM after
"""  # noqa: S608 (column names are constants)

# The keys travel as one JSON parameter, parsed by PostgreSQL in C (psycopg dumps arrays
# element by element in Python).
LATEST_VISITS = """
SELECT DISTINCT ON (v.container_id, v.visit_key)
       v.container_id, v.visit_key, v.visit_id, v.ended_at
FROM visits v JOIN json_to_recordset(%s::json) AS k(c text, v text)
  ON v.container_id = k.c AND v.visit_key = k.v
ORDER BY v.container_id, v.visit_key, v.ended_at DESC
"""

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


class VisitTracker:
    """Finds the visits a batch continues, inside the batch's transaction."""

    def __init__(self, timeout: timedelta) -> None:
        self.timeout = timeout

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
