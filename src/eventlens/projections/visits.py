"""Visits: a visitor's events until 30 minutes (configurable) pass without one.

The projection gives every event with a visitor the id of its visit (`visit_id` in
`event_logs`: the id of the visit's first event). A visit is keyed by the client's session id
when the event names one (identified tracking, and events recorded before visitor ids
existed), else by the cookieless visitor id. What it must remember between batches, each
visitor's current visit and last event, is in `visit_states`, written in the batch's own
transaction, so a worker killed at any point resumes with the right visits. Visitor ids change
every day, so a state idle for two days of event time is deleted. Each visit's totals, entry
and exit are in `visits` (`visit_rows.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import psycopg

from eventlens.projections.event_rows import EventRow
from eventlens.projections.visit_rows import ENTRY_COLUMNS

DDL = """
ALTER TABLE event_logs ADD COLUMN IF NOT EXISTS visit_id text;
CREATE TABLE IF NOT EXISTS visit_states (
    container_id  text NOT NULL,
    visitor_id    text NOT NULL,
    visit_id      text NOT NULL,
    last_at       timestamptz NOT NULL,
    PRIMARY KEY (container_id, visitor_id)
) WITH (fillfactor = 70);
CREATE INDEX IF NOT EXISTS visit_states_last_at ON visit_states (last_at);
CREATE TABLE IF NOT EXISTS visits (
    container_id     text NOT NULL,
    visit_id         text NOT NULL,
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
"""
_ENTRY = ", ".join(ENTRY_COLUMNS)
_ENTRY_TYPES = ", ".join(f"{column} text" for column in ENTRY_COLUMNS)
# A batch's part of a visit merged into its row: counts add up, the first event's entry and
# the last page viewed win, whichever batch brought them.
ADD_VISITS = f"""
INSERT INTO visits AS v (container_id, visit_id, schema_id, visitor_id, started_at, ended_at,
                         entry_page, exit_page, pageviews, events, interactive, {_ENTRY})
SELECT * FROM json_to_recordset(%s::json) AS r(
    container_id text, visit_id text, schema_id text, visitor text, started_at timestamptz,
    ended_at timestamptz, entry_page text, exit_page text, pageviews integer, events integer,
    interactive integer, {_ENTRY_TYPES})
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
"""  # noqa: S608 (column names are constants)
READ = """
SELECT s.container_id, s.visitor_id, s.visit_id, s.last_at
FROM visit_states s JOIN unnest(%s::text[], %s::text[]) AS k(container_id, visitor_id)
  ON s.container_id = k.container_id AND s.visitor_id = k.visitor_id
ORDER BY s.container_id, s.visitor_id
FOR UPDATE OF s
"""
WRITE = """
INSERT INTO visit_states (container_id, visitor_id, visit_id, last_at)
SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::timestamptz[])
ON CONFLICT (container_id, visitor_id)
DO UPDATE SET visit_id = excluded.visit_id, last_at = excluded.last_at
"""
FORGET = "DELETE FROM visit_states WHERE last_at < %s"
IDLE_STATES_KEPT = timedelta(days=2)

Key = tuple[str, str]  # (container_id, visitor)
State = tuple[str, datetime]  # (visit_id, last event's time)


def visitor_of(row: EventRow) -> str | None:
    """Whose visit the event belongs to: the client's session when it names one, else the
    visitor's. The same key as the event's partition in Kafka mode (`partition_key`), so one
    key's events reach one worker in order, and a replay gives the same visits."""
    if row.session_id is not None:
        return f"session:{row.session_id}"
    return row.enriched[0]


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
    """Reads and writes `visit_states` for a batch, inside the batch's transaction."""

    def __init__(self, timeout: timedelta) -> None:
        self.timeout = timeout
        self._forgotten_before: datetime | None = None

    def visits(self, conn: psycopg.Connection, rows: Sequence[EventRow]) -> list[str | None]:
        keys = sorted(
            {(row.container_id or "", v) for row in rows if (v := visitor_of(row)) is not None}
        )
        if not keys:
            return [None] * len(rows)
        found = conn.execute(READ, ([k[0] for k in keys], [k[1] for k in keys])).fetchall()
        states: dict[Key, State] = {(c, v): (visit, last) for c, v, visit, last in found}
        visits = assign_visits(rows, states, self.timeout)
        changed = sorted(states.items())
        conn.execute(
            WRITE,
            (
                [k[0] for k, _ in changed],
                [k[1] for k, _ in changed],
                [s[0] for _, s in changed],
                [s[1] for _, s in changed],
            ),
        )
        self._forget_idle(conn, max(s[1] for _, s in changed))
        return visits

    def _forget_idle(self, conn: psycopg.Connection, latest: datetime) -> None:
        """Once per day of event time: states idle for two days belong to visitor ids that
        no longer exist (their salt is gone)."""
        cutoff = (latest - IDLE_STATES_KEPT).replace(hour=0, minute=0, second=0, microsecond=0)
        if self._forgotten_before is None or cutoff > self._forgotten_before:
            conn.execute(FORGET, (cutoff,))
            self._forgotten_before = cutoff
