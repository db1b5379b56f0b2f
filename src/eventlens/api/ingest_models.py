"""The ingest body: the seed's shape, plus an optional client-generated `event_id`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from eventlens.domain.event_ids import new_event_id
from eventlens.domain.tracking import TrackedEvent

MAX_DEPTH = 8
MAX_KEYS = 500

Text100 = Annotated[StrictStr, Field(min_length=1, max_length=100)]
Text200 = Annotated[StrictStr, Field(min_length=1, max_length=200)]


def _depth(value: Any, level: int = 0) -> int:
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _check_object(value: dict[str, Any], name: str) -> dict[str, Any]:
    if len(value) > MAX_KEYS:
        raise ValueError(f"{name} may have at most {MAX_KEYS} keys")
    flat = not any(isinstance(v, (dict, list)) for v in value.values())
    if not flat and _depth(value) > MAX_DEPTH:
        raise ValueError(f"{name} may nest at most {MAX_DEPTH} levels deep")
    return value


class IngestEvent(BaseModel):
    """One tracked event as the snippet (or any sender) posts it."""

    model_config = ConfigDict(extra="ignore")

    event_id: UUID | None = Field(
        None, description="Client-generated UUID; retries with the same id are recorded once."
    )
    schema_id: Text100 = Field(description="The schema's name, e.g. `portfolio_events`.")
    event_type: Text100 = Field(description="One of the schema's event types, e.g. `page_view`.")
    container_id: Annotated[StrictStr, Field(max_length=64)] | None = Field(
        None,
        description="The adaptor's container id (`CAP-XXXXXX`); the snippet sends it as "
        "`properties.container_id`.",
    )
    user_id: Text200 | None = None
    session_id: Text200 | None = None
    timestamp: datetime | None = Field(None, description="When it happened on the client.")
    properties: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)

    @field_validator("properties")
    @classmethod
    def _properties(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_object(value, "properties")

    @field_validator("metadata")
    @classmethod
    def _metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        return _check_object(value, "metadata")

    def to_tracked(self, received_at: datetime) -> TrackedEvent:
        container_id = self.container_id
        if container_id is None:
            candidate = self.properties.get("container_id")
            if isinstance(candidate, str) and 0 < len(candidate) <= 64:
                container_id = candidate
        timestamp = self.timestamp
        if timestamp is not None and timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=UTC)
        return TrackedEvent(
            event_id=self.event_id or new_event_id(),
            schema_id=self.schema_id,
            event_type=self.event_type,
            received_at=received_at,
            container_id=container_id,
            user_id=self.user_id,
            session_id=self.session_id,
            client_timestamp=timestamp,
            properties=self.properties,
            metadata=self.metadata,
        )


class IngestBatch(BaseModel):
    events: list[dict[str, Any]] = Field(description="Up to the configured number of events.")


class Accepted(BaseModel):
    status: str = "accepted"
    event_id: UUID


class BatchItem(BaseModel):
    index: int
    status: str = Field(
        description="accepted, rejected (recorded with reasons), invalid or refused"
    )
    event_id: UUID | None = None
    reasons: list[dict[str, str]] = Field(default_factory=list)


class BatchResult(BaseModel):
    accepted: int
    rejected: int
    invalid: int
    refused: int
    results: list[BatchItem]


def now() -> datetime:
    return datetime.now(UTC)
