"""`/api/adaptors/{container_id}/retention`: how long a site's tracked events are kept.

Admins set it; anyone signed in reads it. The change is a catalog event (audited), and the
workers expire what the period no longer keeps (docs/PRIVACY.md, "Retention").
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from eventlens.api.deps import ActorDep, AdminDep, CommandsDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.commands.set_retention import SetRetention, set_retention
from eventlens.domain.errors import NotFound
from eventlens.domain.retention_period import MAX_DAYS, Retention

router = APIRouter(prefix="/api/adaptors", tags=["retention"])
ContainerId = Annotated[str, Path(max_length=20, description="The container id, CAP-XXXXXX")]


class RetentionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    days: int | None = Field(
        description=f"1 to {MAX_DAYS} whole days; null keeps events forever", examples=[395]
    )


class RetentionOut(BaseModel):
    container_id: str
    days: int | None
    expired_before: datetime | None = Field(
        None, description="Events received before this were removed by the last expiry"
    )

    @classmethod
    def of(cls, container_id: str, retention: Retention | None) -> RetentionOut:
        if retention is None:
            return cls(container_id=container_id, days=None, expired_before=None)
        return cls(
            container_id=container_id,
            days=retention.days,
            expired_before=retention.expired_before,
        )


@router.get(
    "/{container_id}/retention",
    response_model=RetentionOut,
    responses=documented(401, 404, 422),
)
def get_retention(
    container_id: ContainerId, actor: ActorDep, platform: PlatformDep
) -> RetentionOut:
    if not any(a.container_id == container_id for a in platform.cache.adaptors()):
        raise NotFound(f"adaptor {container_id!r} does not exist")
    return RetentionOut.of(container_id, platform.catalog.retention(container_id))


@router.put(
    "/{container_id}/retention",
    response_model=RetentionOut,
    responses=documented(401, 403, 404, 409, 422),
)
async def put_retention(
    container_id: ContainerId, body: RetentionIn, actor: AdminDep, commands: CommandsDep
) -> RetentionOut:
    command = SetRetention(actor, container_id, body.days)
    retention = await run_in_threadpool(commands, set_retention, command)
    return RetentionOut.of(container_id, retention)
