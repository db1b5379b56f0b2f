"""`/api/events`: queries over the read models (ingest itself is in `ingest`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from eventlens import views
from eventlens.access.readers import site_for
from eventlens.api.deps import ActorDep, PlatformDep, StatsReaderDep
from eventlens.api.errors import documented
from eventlens.api.ingest_models import (
    Accepted,
    BatchNotAccepted,
    BatchResult,
    IngestBatch,
    IngestEvent,
)
from eventlens.domain.errors import InvalidInput
from eventlens.runtime.read_limits import ReadLimits

router = APIRouter(prefix="/api/events", tags=["events"])
Name = Annotated[str | None, Query(max_length=100)]


async def get_read_limits(request: Request) -> ReadLimits:
    limits: ReadLimits = request.app.state.read_limits
    return limits


ReadLimitsDep = Annotated[ReadLimits, Depends(get_read_limits)]


class EventOut(BaseModel):
    event_id: UUID
    schema_id: str
    container_id: str | None
    event_type: str
    user_id: str | None
    session_id: str | None
    timestamp: datetime
    received_at: datetime
    properties: dict[str, Any]
    metadata: dict[str, Any]
    # Web analytics: who, from where, on what (None when the event did not say).
    visitor_id: str | None = None
    url: str | None = None
    hostname: str | None = None
    path: str | None = None
    referrer: str | None = None
    source: str | None = None
    channel: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None
    utm_term: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    os: str | None = None
    os_version: str | None = None
    device: str | None = None
    screen_width: int | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None


class StatsOut(BaseModel):
    """The seed's fields, plus users and per-adaptor counts, for [start, end)."""

    total_events: int
    page_views: int
    clicks: int
    unique_sessions: int
    unique_users: int
    events_by_type: dict[str, int]
    events_by_adaptor: dict[str, int]
    start: datetime
    end: datetime


class RejectedOut(BaseModel):
    event_id: UUID
    schema_id: str | None
    container_id: str | None
    event_type: str | None
    received_at: datetime
    reasons: list[dict[str, str]]
    payload: dict[str, Any]
    reprocessed: bool


@router.get("/stats", response_model=StatsOut, responses=documented(401, 403, 422, 429))
async def stats(
    reader: StatsReaderDep,
    platform: PlatformDep,
    schema_id: Name = None,
    adaptor_id: Annotated[str | None, Query(max_length=20, alias="adaptor_id")] = None,
    event_type: Name = None,
    days: Annotated[int | None, Query(ge=1, le=3660)] = None,
    hours: Annotated[int | None, Query(ge=1, le=87840)] = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> StatsOut:
    """Counts from the rollups: the last `days` (default 7) or `hours`, or `start`..`end`.

    Also open to API keys, and to a shared link's token for its own site."""
    adaptor_id = site_for(reader, adaptor_id)
    f = views.stats_filter(days, start, end, schema_id, adaptor_id, event_type, hours)
    async with platform.pool.connection() as conn:
        result = await views.stats(conn, f, platform.sketches)
    return StatsOut(**result.__dict__, start=f.start, end=f.end)


@router.get("/recent", response_model=list[EventOut], responses=documented(401, 422, 429))
async def recent(
    actor: ActorDep,
    platform: PlatformDep,
    limits: ReadLimitsDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    schema_id: Name = None,
    adaptor_id: Annotated[str | None, Query(max_length=20)] = None,
    event_type: Name = None,
    session_id: Annotated[str | None, Query(max_length=200)] = None,
    user_id: Annotated[str | None, Query(max_length=200)] = None,
    start: datetime | None = None,
    end: datetime | None = None,
    properties: Annotated[
        str | None,
        Query(max_length=2000, description='JSON object to match, e.g. {"page_path": "/"}'),
    ] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> list[EventOut]:
    """Newest first. The next page's cursor is in the `X-Next-Cursor` header."""
    f = views.EventFilter(
        schema_id=schema_id,
        container_id=adaptor_id,
        event_type=event_type,
        session_id=session_id,
        user_id=user_id,
        start=start,
        end=end,
        properties=parse_properties(properties),
    )
    async with limits.costly_read(actor.username), platform.pool.connection() as conn:
        rows, next_cursor = await views.events(conn, f, limit, cursor)
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
    return [EventOut(**row) for row in rows]


def parse_properties(raw: str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise InvalidInput("properties must be a JSON object", field="properties") from None
    if not isinstance(value, dict):
        raise InvalidInput("properties must be a JSON object", field="properties")
    return value


@router.get("/rejected", response_model=list[RejectedOut], responses=documented(401, 422, 429))
async def rejected(
    actor: ActorDep,
    platform: PlatformDep,
    limits: ReadLimitsDep,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    schema_id: Name = None,
    reason: Annotated[str | None, Query(max_length=50, description="A reason code")] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> list[RejectedOut]:
    async with limits.costly_read(actor.username), platform.pool.connection() as conn:
        rows, next_cursor = await views.rejected(conn, schema_id, reason, limit, cursor)
    if next_cursor:
        response.headers["X-Next-Cursor"] = next_cursor
    return [RejectedOut(**row) for row in rows]


# The two ingest routes are served by the lean ASGI path in `ingest`; they are declared
# here so that they appear, with their models, in the OpenAPI document.
@router.post(
    "/ingest",
    status_code=202,
    response_model=Accepted,
    responses=documented(400, 403, 404, 410, 413, 415, 422, 429, 503),
    summary="Track one event (public; CORS per adaptor)",
)
async def ingest_doc(body: IngestEvent) -> Accepted:  # pragma: no cover - never routed here
    raise NotImplementedError


@router.post(
    "/batch",
    status_code=202,
    response_model=BatchResult,
    responses={
        **documented(400, 413, 415, 429, 503),
        422: {
            "model": BatchNotAccepted,
            "description": "Not a batch, or no event in it was accepted (results per event)",
        },
    },
    summary="Track many events, each accepted or rejected on its own",
)
async def batch_doc(body: IngestBatch) -> BatchResult:  # pragma: no cover - never routed here
    raise NotImplementedError
