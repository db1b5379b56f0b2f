"""From stored tracked-event payloads to `event_logs` rows and the rollups' increments.

Pure Python: the projection parses each payload once here, COPYs the rows and upserts the
aggregated counts, so PostgreSQL only stores (parsing JSON and grouping in the database cost
more than the writes themselves: docs/BENCHMARKS.md, "Rows parsed in the worker and COPYed").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import orjson

from eventlens.domain.tracking import counted_time
from eventlens.projections.distinct_count import hash64
from eventlens.projections.enrichment import ENRICHED_COLUMNS, enrich

# A sealed event's subject (pseudonymous) and its encrypted personal fields.
PERSONAL_COLUMNS = ("subject_id", "sealed")
PERSONAL_DDL = (
    "ALTER TABLE event_logs ADD COLUMN IF NOT EXISTS subject_id text;\n"
    "ALTER TABLE event_logs ADD COLUMN IF NOT EXISTS sealed text;\n"
    "CREATE INDEX IF NOT EXISTS event_logs_subject ON event_logs (subject_id) "
    "WHERE subject_id IS NOT NULL;\n"
)
_NOT_SEALED: tuple[str | None, str | None] = (None, None)

# The columns of `event_logs`, in the order of `EventRow.copy_line`.
COLUMNS = (
    "event_id",
    "schema_id",
    "container_id",
    "event_type",
    "user_id",
    "session_id",
    "timestamp",
    "received_at",
    "properties",
    "metadata",
    *ENRICHED_COLUMNS,
    *PERSONAL_COLUMNS,
)
DIMENSION_MAX = 500  # characters of a page path or link text kept in the top lists

_EARLIEST = datetime.min.replace(tzinfo=UTC)
_LATEST = datetime.max.replace(tzinfo=UTC)


class EventRow(NamedTuple):
    """One recorded event as `event_logs` stores it. A named tuple: the projection makes one
    per event, and a frozen dataclass's __init__ sets each field through object.__setattr__
    (docs/BENCHMARKS.md, "No frozen dataclass made per event on the hot paths")."""

    event_id: str  # canonical text, as recorded
    schema_id: str
    container_id: str | None
    event_type: str
    user_id: str | None
    session_id: str | None
    occurred_at: str  # as recorded (ISO 8601): PostgreSQL parses it once, on COPY
    received_at: str
    properties: dict[str, Any]
    metadata: dict[str, Any]
    enriched: tuple[str | None, ...]  # the `ENRICHED_COLUMNS`, as text
    # The `PERSONAL_COLUMNS`. A sealed event's `user_id` is its subject's pseudonym, which
    # the rollups and visits count by; the projection writes the plaintext user id in
    # `event_logs` only while the subject's key exists.
    personal: tuple[str | None, str | None] = _NOT_SEALED

    @classmethod
    def from_payload(cls, payload: bytes | str) -> EventRow:
        data = orjson.loads(payload)
        get = data.get
        received_at = data["received_at"]
        occurred_at = get("timestamp") or received_at
        metadata = get("metadata") or {}
        if occurred_at != received_at and get("imported") is False:
            occurred_at, metadata = _counted_time(occurred_at, received_at, metadata)
        subject = get("subject")
        if not occurred_at.endswith("+00:00"):
            # Recorded with the client's offset (before ingest kept times in UTC): one beyond
            # 15:59, which PostgreSQL refuses, would stop the projection for good.
            occurred_at = utc(occurred_at).isoformat()
        return cls(  # positional: a named tuple is built faster from positions than keywords
            data["event_id"],
            data["schema_id"],
            get("container_id"),
            data["event_type"],
            get("user_id") or subject,
            get("session_id"),
            occurred_at,
            received_at,
            get("properties") or {},
            metadata,
            enrich(data),
            _NOT_SEALED if subject is None else (subject, get("sealed")),
        )

    @property
    def key(self) -> tuple[str, str]:
        """`event_logs`' primary key."""
        return (self.schema_id, self.event_id)

    def copy_line(self) -> str:
        """The row in COPY's text format (tab-separated, `\\N` for NULL, one line)."""
        properties, metadata = self.properties, self.metadata
        fields = (
            *self[:8],
            orjson.dumps(properties).decode() if properties else "{}",
            orjson.dumps(metadata).decode() if metadata else "{}",
            *self.enriched,
            *self.personal,
        )
        nulls = fields.count(None)
        line = "\t".join([NULL if value is None else value for value in fields])
        # Nearly every row needs no escaping: four scans of the line in C tell, instead of
        # a replace per character and field. Each NULL brings one backslash.
        if (
            line.count("\t") == len(fields) - 1
            and line.count("\\") == nulls
            and "\n" not in line
            and "\r" not in line
        ):
            return line + "\n"
        return "\t".join([copy_text(value) for value in fields]) + "\n"


def _counted_time(
    timestamp: str, received_at: str, metadata: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The time the event counts at (`counted_time`), and its metadata with the sender's
    timestamp kept as `client_timestamp` when that is not it."""
    client = utc(timestamp)
    if counted_time(client, utc(received_at), imported=False) == client:
        return timestamp, metadata
    return received_at, {**metadata, "client_timestamp": timestamp}


NULL = "\\N"  # in COPY's text format


def copy_text(value: str | None) -> str:
    if value is None:
        return NULL
    # Chained replaces run in C; translate() with multi-character replacements does not.
    return (
        value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )


def _dimension(value: object) -> str | None:
    """The value as PostgreSQL's `->>` gives it (strings unquoted), cut to `DIMENSION_MAX`."""
    if value is None:
        return None
    text = value if isinstance(value, str) else orjson.dumps(value).decode()
    return text[:DIMENSION_MAX]


def utc(timestamp: str) -> datetime:
    """An ISO 8601 timestamp in UTC (naive ones are UTC), clamped to Python's range."""
    moment = datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return _EARLIEST if moment.year == 1 else _LATEST


# (bucket, schema_id, container_id, event_type) -> events
BucketCounts = Counter[tuple[datetime, str, str, str]]
# (day, schema_id, container_id, dimension, value) -> events
DimensionCounts = Counter[tuple[date, str, str, str, str]]
# The sessions' and users' ids, hashed once for the day's and the hour's sketch alike.
Visitors = dict[tuple[date, str, str], tuple[set[int], set[int]]]
HourlyVisitors = dict[tuple[datetime, str, str], tuple[set[int], set[int]]]


@dataclass
class Increments:
    """What a batch of newly recorded events adds to the rollups."""

    minutely: BucketCounts
    hourly: BucketCounts
    daily: BucketCounts
    dimensions: DimensionCounts
    visitors: Visitors  # (day, schema_id, container_id) -> (session, user id hashes)
    hourly_visitors: HourlyVisitors  # the same by hour, for ranges that cut a day

    @classmethod
    def of(cls, rows: Iterable[EventRow]) -> Increments:
        """Counted by minute and day as text first: a batch spans few minutes, so dates are
        made once per minute or day, not once per event."""
        by_minute: Counter[tuple[str, str, str, str]] = Counter()
        by_day: Counter[tuple[str, str, str, str, str]] = Counter()
        hourly: dict[tuple[str, str, str], tuple[set[str], set[str]]] = defaultdict(
            lambda: (set(), set())
        )
        # Once per event: the fields unpacked at once. A page view's page is its
        # `properties.page_path`; a click's link its `properties.link_text`, else `href`.
        # An anonymous visitor (no user id) is counted among the users by its visitor id.
        for row in rows:
            (
                _,
                schema_id,
                container_id,
                event_type,
                user,
                session,
                occurred,
                _,
                props,
                _,
                more,
                _,
            ) = row
            user = user or more[0]
            minute = _utc_minute(occurred)
            day = minute[:10]
            container = container_id or ""
            by_minute[(minute, schema_id, container, event_type)] += 1
            if event_type == "page_view":
                page = _dimension(props.get("page_path") or more[3])  # else the URL's path
                if page is not None:
                    by_day[(day, schema_id, container, "page", page)] += 1
            elif "click" in event_type:
                link = _dimension(props.get("link_text") or props.get("href") or props.get("url"))
                if link is not None:
                    by_day[(day, schema_id, container, "link", link)] += 1
            if session or user:
                sessions, users = hourly[(minute[:13], schema_id, container)]
                if session:
                    sessions.add(session)
                if user:
                    users.add(user)

        increments = cls(Counter(), Counter(), Counter(), Counter(), {}, {})
        for (minute, schema_id, container, event_type), n in by_minute.items():
            at = datetime.fromisoformat(minute)
            increments.minutely[(at, schema_id, container, event_type)] += n
            increments.hourly[(at.replace(minute=0), schema_id, container, event_type)] += n
            day_start = at.replace(hour=0, minute=0)
            increments.daily[(day_start, schema_id, container, event_type)] += n
        for (day, schema_id, container, dimension, value), n in by_day.items():
            increments.dimensions[
                (date.fromisoformat(day), schema_id, container, dimension, value)
            ] = n
        for (hour, schema_id, container), (sessions, users) in hourly.items():
            at = datetime.fromisoformat(hour + ":00+00:00")
            hashed = ({hash64(s) for s in sessions}, {hash64(u) for u in users})
            increments.hourly_visitors[(at, schema_id, container)] = hashed
            day_sessions, day_users = increments.visitors.setdefault(
                (at.date(), schema_id, container), (set(), set())
            )
            day_sessions |= hashed[0]
            day_users |= hashed[1]
        return increments


def _utc_minute(timestamp: str) -> str:
    """The UTC minute of an ISO 8601 timestamp, as `YYYY-MM-DDTHH:MM+00:00`. Recorded
    timestamps are mostly UTC already (`...+00:00`): those are cut, not parsed."""
    if timestamp.endswith("+00:00") and timestamp[10:11] == "T" and len(timestamp) >= 22:
        return timestamp[:16] + "+00:00"
    return utc(timestamp).replace(second=0, microsecond=0).isoformat(timespec="minutes")


COUNT_FIELDS = ("bucket", "schema_id", "container_id", "event_type")
DIMENSION_FIELDS = ("day", "schema_id", "container_id", "dimension", "value")


def as_records(counts: Counter[Any], fields: tuple[str, ...]) -> str:
    """Counts as a JSON array of records (fields..., `events`) for `json_to_recordset`:
    one parameter that PostgreSQL parses in C, instead of one array per column dumped by
    Python. In key order, so that concurrent workers lock rollup rows in the same order."""
    return orjson.dumps(
        [{**dict(zip(fields, key, strict=True)), "events": n} for key, n in sorted(counts.items())]
    ).decode()
