"""The seed's ingest body as a pydantic model (the seed README's `POST /api/events/ingest`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from pydantic import BaseModel, Field


class EventIngest(BaseModel):
    event_id: UUID = Field(default_factory=uuid4)
    schema_id: str
    event_type: str
    user_id: str | None = None
    session_id: str | None = None
    timestamp: datetime | None = None
    properties: dict[str, Any] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)


class EventBatch(BaseModel):
    events: list[EventIngest]
