"""Plausible's Stats API v2: `POST /api/v2/query`.

Plausible's clients send their query unchanged and read Plausible's answer:
`{"results": [{"metrics": [...], "dimensions": [...]}], "meta": {...}, "query": {...}}`. A
query Plausible would refuse is answered 400 with Plausible's message in `error` (and in
`detail`, EventLens's field for the message), naming the field or value. Read with the
dashboard's token, an API key or a shared link's token; the engine behind is
`WebStatsQueries` (PostgreSQL's read models today).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request, Response

from eventlens.access.readers import readable_sites
from eventlens.api.deps import PlatformDep, StatsReaderDep
from eventlens.api.errors import documented
from eventlens.domain.stats_query import StatsQueryError, read_query
from eventlens.views.web_stats.port import WebStatsQueries
from eventlens.views.web_stats.postgres import PostgresWebStats
from eventlens.views.web_stats.runner import run_query
from eventlens.views.web_stats.sites import find_site

router = APIRouter(prefix="/api/v2", tags=["stats"])

QUERY_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["site_id", "metrics", "date_range"],
                "properties": {
                    "site_id": {
                        "type": "string",
                        "description": "A website's domain or a container id",
                    },
                    "metrics": {"type": "array", "items": {"type": "string"}},
                    "date_range": {
                        "oneOf": [
                            {"type": "string"},
                            {"type": "array", "items": {"type": "string"}},
                        ]
                    },
                    "dimensions": {"type": "array", "items": {"type": "string"}},
                    "filters": {"type": "array", "items": {}},
                    "order_by": {"type": "array", "items": {"type": "array", "items": {}}},
                    "include": {"type": "object"},
                    "pagination": {"type": "object"},
                },
            },
            "example": {"site_id": "example.com", "metrics": ["visitors"], "date_range": "7d"},
        }
    },
}
ANSWER: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Plausible's answer: results, meta and the query as run",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    400: {
        "description": "An invalid query: `error` names the field or value, as Plausible does",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "error": {"type": "string"},
                        "detail": {"type": "string"},
                        "field": {"type": "string"},
                    },
                }
            }
        },
    },
}


def web_stats(platform: PlatformDep) -> WebStatsQueries:
    return PostgresWebStats(platform.pool)


WebStatsDep = Annotated[WebStatsQueries, Depends(web_stats)]


@router.post(
    "/query",
    summary="Plausible's Stats API v2 query",
    responses={**ANSWER, **documented(401, 403, 413, 429, 503)},
    openapi_extra={"requestBody": QUERY_BODY},
)
async def query(
    request: Request, reader: StatsReaderDep, platform: PlatformDep, engine: WebStatsDep
) -> Response:
    """Metrics over a date range, grouped by dimensions, filtered, ordered and paged, with
    Plausible's request and answer (see docs/API.md, "Stats API v2"). Signed-in users and API
    keys read every site, a shared link's token its own."""
    try:
        stats_query = read_query(_json(await request.body()))
        site = find_site(platform.cache.adaptors(), stats_query.site_id)
        if not readable_sites(reader).allows(site.container_id):
            return refused(f"This token does not read the stats of {stats_query.site_id}.", 403)
        answer = await run_query(engine, site, stats_query, datetime.now(UTC))
    except StatsQueryError as error:
        return refused(error.message, 400, error.field)
    return Response(orjson.dumps(answer), media_type="application/json")


def refused(message: str, status: int, field: str | None = "site_id") -> Response:
    """Plausible's error shape (the message in `error`), with EventLens's `detail` and the
    field the message is about."""
    body: dict[str, Any] = {"error": message, "detail": message}
    if field is not None:
        body["field"] = field
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _json(body: bytes) -> object:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise StatsQueryError("The request body is not valid JSON.", field="#") from None
