"""Which time zone and schema each site's rollups (`visit_rollups`, `page_rollups`) are made in.

A rollup's day is a day in the site's time zone, so the events projection follows the
adaptors' changes in the catalog: a site takes its adaptor's zone until its first events are
rolled up, and keeps the zone it was rolled up in afterwards. A site whose zone changed later
is answered from `visits` and `event_logs` until `eventlens replay events` rolls its history
up again in the new zone (a replay reads the catalog's changes before the events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

import orjson
import psycopg

from eventlens.domain.adaptor import adaptor_id_for
from eventlens.domain.timezones import DEFAULT_TIMEZONE

DDL = """
CREATE TABLE IF NOT EXISTS rollup_sites (
    container_id      text PRIMARY KEY,
    adaptor_id        text NOT NULL,
    timezone          text NOT NULL,
    schema_id         text,
    rolled_up         boolean NOT NULL DEFAULT false,
    from_first_event  boolean NOT NULL DEFAULT true
);
"""
# Sites with events recorded before the rollups existed: rolling up only the later ones would
# give them wrong totals, so they are left to the raw tables until a replay rolls them up.
MARK_EARLIER_SITES = """
INSERT INTO rollup_sites (container_id, adaptor_id, timezone, rolled_up, from_first_event)
SELECT DISTINCT container_id, '', 'UTC', true, false FROM stats_daily WHERE container_id <> ''
ON CONFLICT (container_id) DO NOTHING
"""
MIXED_SCHEMAS = "*"  # a site whose events came under several schemas

_ADOPT = """
INSERT INTO rollup_sites (container_id, adaptor_id, timezone) VALUES (%s, %s, %s)
ON CONFLICT (container_id) DO UPDATE SET timezone = excluded.timezone
WHERE NOT rollup_sites.rolled_up
"""
_ADOPT_BY_ADAPTOR = "UPDATE rollup_sites SET timezone = %s WHERE adaptor_id = %s AND NOT rolled_up"
_KNOWN = (
    "SELECT container_id, timezone, schema_id, from_first_event FROM rollup_sites "
    "WHERE container_id = ANY(%s) AND rolled_up"
)
_ROLLED_UP = (
    "SELECT container_id, timezone FROM rollup_sites "
    "WHERE container_id = ANY(%s) AND rolled_up AND from_first_event"
)
# A site's first batch (or first under another schema) takes its zone under the row's lock,
# so the catalog's change of zone lands either before it, and counts, or after, and waits.
_ROLL_UP = """
INSERT INTO rollup_sites AS s (container_id, adaptor_id, timezone, schema_id, rolled_up)
SELECT container_id, adaptor_id, %s, schema_id, true FROM json_to_recordset(%s::json)
    AS r(container_id text, adaptor_id text, schema_id text)
ON CONFLICT (container_id) DO UPDATE SET rolled_up = true,
    schema_id = CASE WHEN s.schema_id IS NULL OR s.schema_id = excluded.schema_id
                     THEN excluded.schema_id ELSE %s END
RETURNING container_id, timezone
"""


class AdaptorZone(NamedTuple):
    """An adaptor's time zone as a catalog change states it; a creation also names the site."""

    adaptor_id: str
    container_id: str | None
    timezone: str


def adaptor_zone(notification: Mapping[str, Any]) -> AdaptorZone | None:
    """The zone a catalog notification gives an adaptor, or None if it is not an adaptor's
    creation or update (notifications recorded before sites had zones name none: UTC)."""
    topic: str = notification["topic"]
    if not topic.endswith(("Adaptor.Created", "Adaptor.Updated")):
        return None
    state = notification["state"]
    return AdaptorZone(
        notification["originator_id"],
        state.get("container_id"),
        state.get("timezone") or DEFAULT_TIMEZONE,
    )


def follow_adaptors(conn: psycopg.Connection, zones: Iterable[AdaptorZone]) -> None:
    """Record each adaptor's zone for its site, unless the site is already rolled up."""
    for zone in zones:
        if zone.container_id is not None:
            conn.execute(_ADOPT, (zone.container_id, zone.adaptor_id, zone.timezone))
        else:
            conn.execute(_ADOPT_BY_ADAPTOR, (zone.timezone, zone.adaptor_id))


def setup(conn: psycopg.Connection) -> None:
    """Create `rollup_sites`; when it is new beside events already counted, mark their sites."""
    new = conn.execute("SELECT to_regclass('rollup_sites') IS NULL").fetchone()
    conn.execute(DDL)
    if new and new[0]:
        conn.execute(MARK_EARLIER_SITES)


def rolled_up_zones(conn: psycopg.Connection, containers: Iterable[str]) -> dict[str, str]:
    """The zones of those sites that are rolled up (from their first event)."""
    return dict(conn.execute(_ROLLED_UP, (sorted(containers),)).fetchall())


def site_zones(conn: psycopg.Connection, schemas: Mapping[str, set[str]]) -> dict[str, str]:
    """The zone of each site a batch rolls up (`schemas`: site -> the schemas of its events);
    a site the catalog has not named yet is rolled up in UTC. A site whose earlier events were
    never rolled up has none: it is not rolled up."""
    containers = sorted(schemas)
    zones: dict[str, str] = {}
    left_out: set[str] = set()
    first = []
    for container, zone, schema, from_first_event in conn.execute(_KNOWN, (containers,)):
        if not from_first_event:
            left_out.add(container)
        elif schemas[container] == {schema} or schema == MIXED_SCHEMAS:
            zones[container] = zone
    for container in containers:
        if container not in zones and container not in left_out:
            seen = schemas[container]
            first.append(
                {
                    "container_id": container,
                    "adaptor_id": str(adaptor_id_for(container)),
                    "schema_id": next(iter(seen)) if len(seen) == 1 else MIXED_SCHEMAS,
                }
            )
    if first:
        records = orjson.dumps(first).decode()
        zones.update(conn.execute(_ROLL_UP, (DEFAULT_TIMEZONE, records, MIXED_SCHEMAS)).fetchall())
    return zones
