"""`/health` and `/ready`, public for load balancers; `/metrics` for Prometheus, with a token.

The metrics tell how much traffic each site gets and what is rejected: not for anyone who asks.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials

from eventlens.access.tokens import TokenIssuer
from eventlens.api import metrics
from eventlens.api.deps import PlatformDep, bearer, current_actor, get_tokens
from eventlens.api.errors import documented, error_body

router = APIRouter(tags=["health"])
RETRY = {"Retry-After": "1"}


@router.get("/health")
async def health() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/ready", responses=documented(503))
async def ready(platform: PlatformDep) -> JSONResponse:
    """Readiness: the database and event store answer; projection lag per projection.
    `degraded` (Kafka mode): the database is away, ingest still accepts events, and the lag
    is counted from where the projections were when it last answered."""
    try:
        lags = await platform.projection_lags()
    except Exception as error:
        return JSONResponse(error_body(503, f"not ready: {error}"), 503, headers=RETRY)
    # In Kafka mode, a database that is away stops the projections and the reads, not
    # ingest: the instance still takes events, so it is not taken out of a load balancer.
    problem = platform.database_problem
    return JSONResponse(
        {
            "status": "degraded" if problem else "ready",
            "event_store": "kafka" if platform.settings.uses_kafka else "postgres",
            "database": {"status": "unavailable", "problem": problem}
            if problem
            else {"status": "ok"},
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


def metrics_reader(
    platform: PlatformDep,
    tokens: Annotated[TokenIssuer, Depends(get_tokens)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> None:
    """The scraper's token (`EVENTLENS_METRICS_TOKEN`) or an admin's access token."""
    expected = platform.settings.metrics_token
    given = credentials.credentials if credentials else None
    if expected and given and hmac.compare_digest(given.encode(), expected.encode()):
        return
    if not current_actor(platform, tokens, credentials).is_admin:
        raise HTTPException(403, "this needs the admin role or the metrics token")


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(metrics_reader)],
    responses=documented(401, 403),
)
async def metrics_text(platform: PlatformDep) -> Response:
    """Prometheus text format: ingest outcomes and latency, query latency (every API process
    of this instance), and projection lag. Send `Authorization: Bearer <token>` with the
    token set in `EVENTLENS_METRICS_TOKEN`, or an admin's access token."""
    body, content_type = metrics.exposition(await platform.projection_lags())
    return Response(body, media_type=content_type)
