"""What a batch of newly recorded events adds to each visit (`visits`), computed in Python.

A visit's row is written once per batch that touches it: the batch's part of it (its first
and last event, page views, events, the entry's attributes, the last page viewed) is merged
into the stored row by PostgreSQL (`ON CONFLICT ... DO UPDATE`), so a visit spread over many
batches, or over worker restarts, adds up to the same row. Only events newly recorded are
counted, so an event delivered twice counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from operator import itemgetter
from typing import Any

import orjson

from eventlens.domain.timezones import DEFAULT_TIMEZONE
from eventlens.projections.distinct_count import hash64
from eventlens.projections.event_rows import EventRow
from eventlens.projections.local_days import minute_day, utc_minute

PAGE_VIEW = "page_view"
# Not a visitor's interaction: a visit with one page view and only these is a bounce.
PASSIVE_TYPES = frozenset({PAGE_VIEW, "engagement"})

# The columns of `visits` a batch's part sets, in the order of `VisitPart` below; the entry's
# attributes come from the enriched columns of its first event.
ENTRY_COLUMNS = (
    "hostname",
    "source",
    "channel",
    "referrer",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "device",
    "browser",
    "browser_version",
    "os",
    "os_version",
    "country",
    "region",
    "city",
)
# Where each of them is among `EventRow.enriched` (`read_models.WEB_COLUMNS`).
_ENTRY_INDEXES = (2, 5, 6, 4, 7, 8, 9, 10, 11, 16, 12, 13, 14, 15, 18, 19, 20)
_PATH = 3
_OCCURRED_AT = itemgetter(6)  # `EventRow.occurred_at`


def visitor_of(row: EventRow) -> str | None:
    """Whose visit the event belongs to (its `visit_key`): the client's session when it names
    one, else the visitor's. The same key as the event's partition in Kafka mode
    (`partition_key`), so one key's events reach one worker in order, and a replay gives the
    same visits."""
    if row.session_id is not None:
        return f"session:{row.session_id}"
    return row.enriched[0]


def interactive(row: EventRow) -> bool:
    """Does the event show the visitor doing something (a custom event not marked otherwise)?"""
    return row.event_type not in PASSIVE_TYPES and row.metadata.get("interactive") is not False


def visit_parts(
    rows: Sequence[EventRow], visits: dict[tuple[str, str], str], zones: Mapping[str, str]
) -> str | None:
    """Each visit's part of `rows` as JSON records for `json_to_recordset`, in key order (so
    concurrent workers lock rows alike); None when no row belongs to a visit. `visits` maps an
    event's `EventRow.key` to its visit id; `zones` a site to its time zone (UTC if none), in
    which the part's last day and the page views made on it are counted."""
    parts: dict[tuple[str, str], dict[str, Any]] = {}
    days: dict[tuple[str, str], date] = {}  # (UTC minute, site) -> its day there
    for row in sorted(rows, key=_OCCURRED_AT):
        visit = visits.get(row.key)
        if visit is None:
            continue
        key = (row.container_id or "", visit)
        part = parts.get(key)
        enriched = row.enriched
        path = enriched[_PATH]
        viewed = row.event_type == PAGE_VIEW
        minute = (utc_minute(row.occurred_at), key[0])
        day = days.get(minute)
        if day is None:
            day = days[minute] = minute_day(minute[0], zones.get(key[0], DEFAULT_TIMEZONE))
        if part is None:
            visitor = _visitor(row)
            part = parts[key] = {
                "container_id": key[0],
                "visit_id": visit,
                "visit_key": visitor_of(row),
                "schema_id": row.schema_id,
                "visitor": visitor,
                "visitor_hash": hash64(visitor).to_bytes(8, "big").hex(),
                "started_at": row.occurred_at,
                "ended_at": row.occurred_at,
                "last_day": day,
                "last_day_pageviews": 0,
                "entry_page": path,
                "exit_page": path if viewed else None,
                "pageviews": 0,
                "events": 0,
                "interactive": 0,
                **{
                    column: enriched[index]
                    for column, index in zip(ENTRY_COLUMNS, _ENTRY_INDEXES, strict=True)
                },
            }
        part["ended_at"] = row.occurred_at
        part["events"] += 1
        if day != part["last_day"]:  # rows come in time order: a later day
            part["last_day"] = day
            part["last_day_pageviews"] = 0
        if viewed:
            part["pageviews"] += 1
            part["last_day_pageviews"] += 1
            if path is not None:
                part["exit_page"] = path
        elif interactive(row):
            part["interactive"] += 1
    if not parts:
        return None
    return orjson.dumps([parts[key] for key in sorted(parts)]).decode()


def _visitor(row: EventRow) -> str:
    return row.enriched[0] or row.user_id or row.session_id or ""


def visit_ids(rows: Iterable[EventRow], visits: Sequence[str | None]) -> dict[tuple[str, str], str]:
    """Event key -> visit id, for the rows that have one. An event repeated within the batch
    keeps its first occurrence's visit: that occurrence is the one recorded."""
    found: dict[tuple[str, str], str] = {}
    for row, visit in zip(rows, visits, strict=True):
        if visit is not None:
            found.setdefault(row.key, visit)
    return found
