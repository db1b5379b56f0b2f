"""`/api/events`: queries over the read models (ingest itself is in `ingest`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel

from eventlens.api.deps import ActorDep, PlatformDep
from eventlens.api.ingest_models import Accepted, BatchResult, IngestBatch, IngestEvent

router = APIRouter(prefix="/api/events", tags=["events"])


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


RECENT = """
SELECT event_id, schema_id, container_id, event_type, user_id, session_id, "timestamp",
       received_at, properties, metadata
FROM event_logs
WHERE (%(schema)s::text IS NULL OR schema_id = %(schema)s)
ORDER BY received_at DESC, event_id DESC
LIMIT %(limit)s
"""


@router.get("/recent", response_model=list[EventOut])
async def recent(
    actor: ActorDep,
    platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    schema_id: Annotated[str | None, Query(max_length=100)] = None,
) -> list[EventOut]:
    from psycopg.rows import dict_row

    async with platform.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(RECENT, {"schema": schema_id, "limit": limit})
        rows = await cur.fetchall()
    return [EventOut(**row) for row in rows]


# The two ingest routes are served by the lean ASGI path in `ingest`; they are declared
# here only so that they appear, with their models, in the OpenAPI document.
@router.post(
    "/ingest",
    status_code=202,
    response_model=Accepted,
    include_in_schema=True,
    summary="Track one event (public; CORS per adaptor)",
)
async def ingest_doc(body: IngestEvent) -> Accepted:  # pragma: no cover - never routed here
    raise NotImplementedError


@router.post(
    "/batch",
    status_code=202,
    response_model=BatchResult,
    summary="Track many events, each accepted or rejected on its own",
)
async def batch_doc(body: IngestBatch) -> BatchResult:  # pragma: no cover - never routed here
    raise NotImplementedError
