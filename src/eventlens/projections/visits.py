"""Visits: a visitor's events until 30 minutes (configurable) pass without one.

The projection gives every event that has a visitor id the id of its visit (`visit_id` in
`event_logs`: the id of the visit's first event). What it must remember between batches, each
visitor's current visit and last event, is in `visit_states`, written in the batch's own
transaction, so a worker killed at any point resumes with the right visits. Visitor ids change
every day, so a state idle for two days of event time is deleted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import psycopg

from eventlens.projections.event_rows import EventRow

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
"""
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

Key = tuple[str, str]  # (container_id, visitor_id)
State = tuple[str, datetime]  # (visit_id, last event's time)


def assign_visits(
    rows: Sequence[EventRow], states: dict[Key, State], timeout: timedelta
) -> list[str | None]:
    """Each row's visit id (None: the event has no visitor), in the rows' order; `states` is
    updated in place. Events are taken in time order per visitor; an event older than the
    visitor's last one (late, or delivered twice) belongs to the current visit."""
    visits: list[str | None] = [None] * len(rows)
    timed: list[tuple[Key, datetime, int]] = []
    for index, row in enumerate(rows):
        visitor = row.enriched[0]
        if visitor is not None:
            moment = datetime.fromisoformat(row.occurred_at)
            timed.append(((row.container_id or "", visitor), moment, index))
    timed.sort()
    for key, moment, index in timed:
        state = states.get(key)
        if state is None or moment - state[1] > timeout:
            state = (rows[index].event_id, moment)
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
            {(row.container_id or "", row.enriched[0]) for row in rows if row.enriched[0]}
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
