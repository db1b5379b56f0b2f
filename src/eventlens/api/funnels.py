"""Funnels and retention: `POST /api/v2/funnel` and `POST /api/v2/retention` (read like the
Stats API v2: the dashboard's token, an API key or a shared link's token, and its 400 answers
naming the field), and a site's saved funnels under `/api/funnels/` (admins save and delete
them, every reader of the site lists them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from eventlens.access.readers import readable_sites
from eventlens.api.deps import AdminDep, CommandsDep, PlatformDep, StatsReaderDep
from eventlens.api.errors import documented
from eventlens.api.stats_v2 import ANSWER, refused
from eventlens.commands.delete_funnel import DeleteFunnel, delete_funnel
from eventlens.commands.save_funnel import SaveFunnel, save_funnel
from eventlens.domain.errors import NotFound, PermissionDenied
from eventlens.domain.funnels import MAX_FUNNEL_NAME, SavedFunnel, read_funnel_query
from eventlens.domain.retention import read_retention_query
from eventlens.domain.stats_query import Site, StatsQueryError
from eventlens.projections.catalog_cache import CatalogCache
from eventlens.views.conversions import run_funnel, run_retention
from eventlens.views.web_stats.sites import find_site

router = APIRouter(tags=["funnels"])
SiteId = Annotated[str, Query(max_length=300, description="A website's domain or container id")]
FunnelId = Annotated[str, Path(max_length=32)]


def _body(schema: dict[str, Any], example: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema, "example": example}},
        }
    }


DATE_RANGE = {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}
FUNNEL_BODY = _body(
    {
        "type": "object",
        "required": ["site_id", "date_range", "steps"],
        "properties": {
            "site_id": {"type": "string"},
            "date_range": DATE_RANGE,
            "steps": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 8},
            "within": {"type": "string", "description": '"visit" (default) or "<N>d"'},
            "filters": {"type": "array", "items": {}},
            "breakdown": {"type": "string", "description": "One visit dimension"},
        },
    },
    {
        "site_id": "example.com",
        "date_range": "30d",
        "steps": ["Visit /pricing", "Signup"],
        "within": "visit",
    },
)
RETENTION_BODY = _body(
    {
        "type": "object",
        "required": ["site_id", "date_range", "period"],
        "properties": {
            "site_id": {"type": "string"},
            "date_range": DATE_RANGE,
            "period": {"enum": ["day", "week"]},
            "start": {"type": "string", "description": '"first visit" (default) or a goal'},
        },
    },
    {"site_id": "example.com", "date_range": "30d", "period": "week", "start": "first visit"},
)


@router.post(
    "/api/v2/funnel",
    summary="A funnel over a site's goals",
    responses={**ANSWER, **documented(401, 403, 413, 429, 503)},
    openapi_extra=FUNNEL_BODY,
)
async def funnel(request: Request, reader: StatsReaderDep, platform: PlatformDep) -> Response:
    """Per step, the visitors who reached it in order within the window, the conversion rate
    from the first step and the drop-off from the previous one; optionally per value of one
    visit dimension (see docs/API.md, "Funnels")."""
    try:
        query = read_funnel_query(_json(await request.body()))
        site = find_site(platform.cache.adaptors(), query.site_id)
        if not readable_sites(reader).allows(site.container_id):
            return refused(f"This token does not read the stats of {query.site_id}.", 403)
        answer = await run_funnel(platform.pool, site, query, datetime.now(UTC))
    except StatsQueryError as error:
        return refused(error.message, 400, error.field)
    return Response(orjson.dumps(answer), media_type="application/json")


@router.post(
    "/api/v2/retention",
    summary="Retention cohorts of identified users",
    responses={**ANSWER, **documented(401, 403, 413, 429, 503)},
    openapi_extra=RETENTION_BODY,
)
async def retention(request: Request, reader: StatsReaderDep, platform: PlatformDep) -> Response:
    """A cohort grid of identified users (events with a `user_id`) only: cookieless visitor
    ids rotate daily, so anonymous visitors cannot be followed from one day to the next (see
    docs/API.md, "Retention")."""
    try:
        query = read_retention_query(_json(await request.body()))
        site = find_site(platform.cache.adaptors(), query.site_id)
        if not readable_sites(reader).allows(site.container_id):
            return refused(f"This token does not read the stats of {query.site_id}.", 403)
        answer = await run_retention(platform.pool, site, query, datetime.now(UTC))
    except StatsQueryError as error:
        return refused(error.message, 400, error.field)
    return Response(orjson.dumps(answer), media_type="application/json")


class FunnelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_id: str = Field(max_length=300, examples=["example.com"])
    name: str = Field(max_length=MAX_FUNNEL_NAME, examples=["Signups"])
    steps: list[str] = Field(examples=[["Visit /pricing", "Signup"]])
    within: str = Field("visit", max_length=10, examples=["visit", "7d"])
    breakdown: str | None = Field(
        None, max_length=40, description="One visit dimension", examples=["visit:device"]
    )


class FunnelOut(BaseModel):
    id: str
    site_id: str = Field(description="The site's container id")
    name: str
    steps: list[str]
    within: str
    breakdown: str | None = Field(description="The visit dimension it is broken down by")
    created_at: datetime

    @classmethod
    def of(cls, container_id: str, funnel: SavedFunnel) -> FunnelOut:
        return cls(
            id=funnel.funnel_id,
            site_id=container_id,
            name=funnel.name,
            steps=list(funnel.steps),
            within=funnel.within,
            breakdown=funnel.breakdown,
            created_at=funnel.created_at,
        )


def _site(cache: CatalogCache, site_id: str) -> Site:
    try:
        return find_site(cache.adaptors(), site_id)
    except StatsQueryError:
        raise NotFound(
            f"site_id {site_id!r} is no adaptor's container id or website", field="site_id"
        ) from None


@router.post(
    "/api/funnels/",
    status_code=201,
    response_model=FunnelOut,
    responses=documented(401, 403, 404, 409, 422),
)
def create(
    body: FunnelIn, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> FunnelOut:
    """Save a funnel for a site: 2 to 8 of its goals, in order, a window, and optionally the
    visit dimension it is broken down by."""
    site = _site(platform.cache, body.site_id)
    saved = commands(
        save_funnel,
        SaveFunnel(actor, site.container_id, body.name, body.steps, body.within, body.breakdown),
    )
    return FunnelOut.of(site.container_id, saved)


@router.get("/api/funnels/", response_model=list[FunnelOut], responses=documented(401, 403, 404))
def list_funnels(site_id: SiteId, reader: StatsReaderDep, platform: PlatformDep) -> list[FunnelOut]:
    """A site's saved funnels, oldest first."""
    site = _site(platform.cache, site_id)
    if not readable_sites(reader).allows(site.container_id):
        raise PermissionDenied(f"this token does not read the stats of {site_id}")
    adaptor = platform.cache.adaptor(site.container_id)
    funnels = [] if adaptor is None else list(adaptor.funnels.values())
    funnels.sort(key=lambda f: (f.created_at, f.funnel_id))
    return [FunnelOut.of(site.container_id, f) for f in funnels]


@router.delete(
    "/api/funnels/{funnel_id}", response_model=FunnelOut, responses=documented(401, 403, 404, 409)
)
def delete(
    funnel_id: FunnelId, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> FunnelOut:
    """Delete a saved funnel."""
    holder = next((a for a in platform.cache.adaptors() if funnel_id in a.funnels), None)
    if holder is None:
        raise NotFound(f"funnel {funnel_id!r} does not exist")
    deleted = commands(delete_funnel, DeleteFunnel(actor, holder.container_id, funnel_id))
    return FunnelOut.of(holder.container_id, deleted)


def _json(body: bytes) -> object:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise StatsQueryError("The request body is not valid JSON.", field="#") from None
