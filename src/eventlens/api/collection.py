"""`/api/collection`: what the collection side keeps out and leaves out (bots, places)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from eventlens.api.deps import ActorDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.views.bots import bot_counts

router = APIRouter(prefix="/api/collection", tags=["collection"])

GEO_ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0"


class BotCount(BaseModel):
    day: date
    container_id: str = Field(description="The adaptor the bot's events named ('' if none)")
    events: int


class GeoStatus(BaseModel):
    enabled: bool
    problem: str | None = Field(description="Why places are not recorded, when they are not")
    databases: list[str] = Field(description="The geo database files in use (names only)")
    attribution: str


class CollectionStatus(BaseModel):
    geo: GeoStatus


@router.get("/bots", response_model=list[BotCount], responses=documented(401, 422))
async def bots(
    actor: ActorDep,
    platform: PlatformDep,
    days: Annotated[int, Query(ge=1, le=366, description="Days back from today")] = 30,
    adaptor_id: Annotated[str | None, Query(max_length=20)] = None,
) -> list[BotCount]:
    """Events sent by crawlers, headless browsers, clients without a User-Agent and pages
    under automation: not recorded as visits, counted here per site and day (UTC)."""
    today = datetime.now(UTC).date()
    async with platform.pool.connection() as conn:
        rows = await bot_counts(conn, today - timedelta(days=days - 1), today, adaptor_id)
    return [BotCount(**row) for row in rows]


@router.get("/status", response_model=CollectionStatus, responses=documented(401))
async def status(actor: ActorDep, platform: PlatformDep) -> CollectionStatus:
    geo = platform.visitors.geo
    return CollectionStatus(
        geo=GeoStatus(
            enabled=geo is not None,
            problem=platform.geo_problem,
            databases=[file.name for file in geo.files] if geo is not None else [],
            attribution=GEO_ATTRIBUTION,
        )
    )
