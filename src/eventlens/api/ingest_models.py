"""The ingest body: the seed's shape, plus an optional client-generated `event_id`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Required
from uuid import UUID

from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    TypeAdapter,
    ValidationError,
)
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

from eventlens.api.errors import ErrorBody, validation_details
from eventlens.domain.event_ids import new_event_id
from eventlens.domain.tracking import TrackedEvent
from eventlens.domain.visitors import PageContext
from eventlens.views import EARLIEST, LATEST

MAX_DEPTH = 8
MAX_KEYS = 500

Text100 = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Text200 = Annotated[StrictStr, Field(min_length=1, max_length=200)]
Url = Annotated[StrictStr, Field(max_length=2000)]
JsonObject = Annotated[dict[str, Any], Field(max_length=MAX_KEYS)]


class IngestEvent(TypedDict, total=False):
    """One tracked event as the snippet (or any sender) posts it."""

    event_id: Annotated[
        UUID | None,
        Field(description="Client-generated UUID; retries with the same id are recorded once."),
    ]
    schema_id: Annotated[
        Text100,
        Field(
            description="The schema's name, e.g. `portfolio_events`; may be left out when "
            "`container_id` names an adaptor (its schema is taken)."
        ),
    ]
    event_type: Required[
        Annotated[Text100, Field(description="One of the schema's event types, e.g. `page_view`.")]
    ]
    container_id: Annotated[
        Annotated[StrictStr, Field(max_length=64)] | None,
        Field(
            description="The adaptor's container id (`CAP-XXXXXX`); the snippet sends it as "
            "`properties.container_id`."
        ),
    ]
    user_id: Text200 | None
    session_id: Text200 | None
    timestamp: Annotated[datetime | None, Field(description="When it happened on the client.")]
    properties: JsonObject
    metadata: JsonObject
    url: Annotated[Url | None, Field(description="The page's URL (`location.href`).")]
    referrer: Annotated[
        Url | None, Field(description="The page's referrer (`document.referrer`), if any.")
    ]
    screen_width: Annotated[
        Annotated[StrictInt, Field(ge=0, le=100_000)] | None,
        Field(description="The viewport's width in CSS pixels."),
    ]
    automated: Annotated[
        StrictBool,
        Field(description="Sent by a browser under automation (`navigator.webdriver`)."),
    ]


# A TypedDict is validated in pydantic-core without building a model instance and without a
# call back into Python per field (docs/BENCHMARKS.md, "Events validated as a TypedDict").
_validate = TypeAdapter(IngestEvent).validate_python


_PAGE_FIELDS = frozenset({"url", "referrer", "screen_width", "automated"})


class InvalidEvent(Exception):
    """The event is malformed; `details` are `{"field", "message"}` items."""

    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__(details)
        self.details = details


def parse_event(data: dict[str, Any], received_at: datetime) -> TrackedEvent:
    """The event a sender posted, validated, as it will be judged and recorded."""
    try:
        event = _validate(data)
    except ValidationError as error:
        raise InvalidEvent(validation_details(error.errors())) from None
    properties = event.get("properties") or {}
    metadata = event.get("metadata") or {}
    for name, value in (("properties", properties), ("metadata", metadata)):
        if _depth(value) > MAX_DEPTH:
            raise InvalidEvent([{"field": name, "message": f"may nest at most {MAX_DEPTH} levels"}])
    container_id = event.get("container_id")
    if container_id is None:
        candidate = properties.get("container_id")
        if isinstance(candidate, str) and 0 < len(candidate) <= 64:
            container_id = candidate
    schema_id = event.get("schema_id", "")
    if not schema_id and container_id is None:
        raise InvalidEvent(
            [
                {
                    "field": "schema_id",
                    "message": "Field required unless container_id names an adaptor",
                }
            ]
        )
    timestamp = event.get("timestamp")
    if timestamp is not None:
        timestamp = _client_time(timestamp)
    page = (
        PageContext(
            event.get("url"),
            event.get("referrer"),
            event.get("screen_width"),
            event.get("automated", False),
        )
        if _PAGE_FIELDS & event.keys()
        else None
    )
    return TrackedEvent(
        event_id=event.get("event_id") or new_event_id(),
        schema_id=schema_id,
        event_type=event["event_type"],
        received_at=received_at,
        container_id=container_id,
        user_id=event.get("user_id"),
        session_id=event.get("session_id"),
        client_timestamp=timestamp,
        properties=properties,
        metadata=metadata,
        page=page,
    )


def _client_time(moment: datetime) -> datetime:
    """The client's time in UTC (naive times are UTC), within the years queries may name.

    Kept in UTC, not with the client's offset: PostgreSQL refuses offsets beyond 15:59 that
    Python accepts, and one such event would stop the projection that writes it.
    """
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    # The year alone settles it but at the edges (an offset moves a time by less than a day),
    # so aware times, slower to compare, are compared only there (docs/BENCHMARKS.md, "A
    # client time's range checked by its year first").
    if not 1900 < aware.year < 8999 and not EARLIEST <= aware < LATEST:
        raise InvalidEvent(
            [{"field": "timestamp", "message": "must be between the years 1900 and 9000"}]
        )
    return aware.astimezone(UTC) if aware.utcoffset() else aware


def _depth(value: dict[str, Any]) -> int:
    """How deep `value` nests: 1 for a flat object (the common case, checked without recursing)."""
    for item in value.values():
        if isinstance(item, (dict, list)):
            return _nesting(value)
    return 1


def _nesting(value: Any, level: int = 0) -> int:
    # Stops one level past the limit: JSON may nest a thousand levels, Python's stack fewer.
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_nesting(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_nesting(v, level + 1) for v in value), default=level + 1)
    return level


class IngestBatch(BaseModel):
    events: list[dict[str, Any]] = Field(description="Up to the configured number of events.")


class Accepted(BaseModel):
    status: str = "accepted"
    event_id: UUID


class BatchItem(BaseModel):
    index: int
    status: str = Field(
        description="accepted, rejected (recorded with reasons, an origin the adaptor does "
        "not allow among them) or invalid (not an event; recorded nowhere)"
    )
    event_id: UUID | None = None
    reasons: list[dict[str, str]] = Field(default_factory=list)


class BatchResult(BaseModel):
    accepted: int
    rejected: int
    invalid: int
    results: list[BatchItem]


class BatchNotAccepted(ErrorBody, BatchResult):
    """A batch none of whose events was accepted (422): the error, and each event's result."""


def now() -> datetime:
    return datetime.now(UTC)
