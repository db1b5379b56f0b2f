"""Current visitors, as Plausible's Stats API v1 serves them:
`GET /api/v1/stats/realtime/visitors?site_id=...` answers a bare number."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from eventlens.access.readers import readable_sites
from eventlens.api.deps import PlatformDep, StatsReaderDep
from eventlens.api.errors import documented
from eventlens.api.stats_v2 import WebStatsDep, refused
from eventlens.domain.stats_query import StatsQueryError
from eventlens.views.web_stats.sites import find_site

router = APIRouter(prefix="/api/v1/stats", tags=["stats"])


@router.get(
    "/realtime/visitors",
    summary="Current visitors (the last five minutes), as Plausible's v1 API answers them",
    responses={
        200: {"content": {"application/json": {"schema": {"type": "integer"}}}},
        **documented(400, 401, 403),
    },
)
async def realtime_visitors(
    reader: StatsReaderDep,
    platform: PlatformDep,
    engine: WebStatsDep,
    site_id: Annotated[
        str, Query(max_length=300, description="A website's domain or a container id")
    ],
) -> Response:
    try:
        site = find_site(platform.cache.adaptors(), site_id)
    except StatsQueryError as error:
        return refused(error.message, 400, error.field)
    if not readable_sites(reader).allows(site.container_id):
        return refused(f"This token does not read the stats of {site_id}.", 403)
    count = await engine.current_visitors(site, datetime.now(UTC))
    return Response(str(count), media_type="application/json")
