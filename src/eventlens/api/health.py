"""`/health`, `/ready` and `/metrics`: public, for load balancers and Prometheus."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from eventlens.api import metrics
from eventlens.api.deps import PlatformDep
from eventlens.api.errors import documented, error_body

router = APIRouter(tags=["health"])


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/ready", responses=documented(503))
async def ready(platform: PlatformDep) -> JSONResponse:
    """Readiness: the database and event store answer; projection lag per projection."""
    try:
        lags = await platform.projection_lags()
    except Exception as error:
        return JSONResponse(error_body(503, f"not ready: {error}"), 503)
    return JSONResponse(
        {
            "status": "ready",
            "event_store": "kafka" if platform.settings.uses_kafka else "postgres",
            "projections": [
                {
                    "projection": lag.projection,
                    "events_behind": lag.events_behind,
                    "seconds_behind": round(lag.seconds_behind, 3),
                    "last_applied_at": lag.last_applied_at.isoformat()
                    if lag.last_applied_at
                    else None,
                }
                for lag in lags
            ],
        }
    )


@router.get("/metrics", response_class=Response)
async def metrics_text(platform: PlatformDep) -> Response:
    """Prometheus text format: ingest outcomes and latency, query latency (every API process
    of this instance), and projection lag."""
    body, content_type = metrics.exposition(await platform.projection_lags())
    return Response(body, media_type=content_type)
