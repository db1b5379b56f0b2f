"""`POST /api/events/rejected/reprocess`: retry rejected events after a schema fix."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from eventlens import views
from eventlens.api.deps import AdminDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.commands.actor import Actor
from eventlens.commands.reprocess_rejected import ReprocessRejected, reprocess_rejected
from eventlens.eventstore.codec import tracked_from_dict
from eventlens.runtime.platform import Platform

router = APIRouter(prefix="/api/events/rejected", tags=["events"])
PAGE = 1000


class ReprocessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_id: str | None = Field(None, max_length=100, description="Only this schema's events")


class ReprocessOut(BaseModel):
    reprocessed: int
    still_rejected: int


async def reprocess_all(platform: Platform, actor: Actor, schema_id: str | None) -> ReprocessOut:
    """Every rejected event not yet re-processed, oldest first, a page at a time."""
    total = ReprocessOut(reprocessed=0, still_rejected=0)
    after: tuple[datetime, UUID] | None = None
    while True:
        async with platform.pool.connection() as conn:
            payloads = await views.rejected_to_retry(conn, schema_id, PAGE, after)
        if not payloads:
            return total
        events = [(tracked_from_dict(p), p.get("origin")) for p in payloads]
        last = events[-1][0]
        after = (last.received_at, last.event_id)
        outcome = await reprocess_rejected(
            ReprocessRejected(actor, events), platform.cache, platform.store
        )
        total.reprocessed += outcome.reprocessed
        total.still_rejected += outcome.still_rejected


@router.post("/reprocess", response_model=ReprocessOut, responses=documented(401, 403, 422, 503))
async def reprocess(body: ReprocessIn, actor: AdminDep, platform: PlatformDep) -> ReprocessOut:
    """Append the rejected events that now pass their checks (each once, original id)."""
    return await reprocess_all(platform, actor, body.schema_id)
