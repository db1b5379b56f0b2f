"""The ASGI application: FastAPI for the REST API, with the lean ingest path in front."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse

from eventlens import __version__
from eventlens.access.tokens import TokenIssuer
from eventlens.api import adaptors, auth, errors, events, reprocess, schemas, users
from eventlens.api.errors import documented, error_body
from eventlens.api.ingest import IngestApp
from eventlens.api.limits import BodyLimit
from eventlens.config import Settings
from eventlens.runtime.platform import Platform, Serving


def create_app(
    settings: Settings | None = None,
    *,
    run_workers: bool = True,
    serving: Serving | None = None,
) -> Any:
    platform = Platform(settings or Settings(), run_workers=run_workers, serving=serving)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await platform.start()
        app.state.tokens = TokenIssuer(platform.token_secret)
        # What start-up built lives as long as the process: keep it out of the collector's
        # work, and collect the young generation less often (requests allocate a lot).
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)
        try:
            yield
        finally:
            await platform.stop()

    api = FastAPI(
        title="EventLens",
        version=__version__,
        description="Self-hosted, privacy-first, real-time event analytics.",
        lifespan=lifespan,
    )
    api.state.platform = platform
    ingest = IngestApp(platform, None)
    errors.install(api)
    api.include_router(auth.router)
    api.include_router(events.router)
    api.include_router(reprocess.router)
    api.include_router(schemas.router)
    api.include_router(adaptors.router)
    api.include_router(users.router)
    from eventlens.graphql.router import graphql_router

    api.include_router(graphql_router(), prefix="/graphql", tags=["graphql"])

    @api.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    @api.get("/ready", tags=["health"], responses=documented(503))
    async def ready() -> JSONResponse:
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

    from eventlens.api.dashboard import dashboard_router

    @api.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    async def metrics() -> str:
        """Prometheus text format: ingest outcomes (all API processes of this instance),
        projection lag."""
        lags = await platform.projection_lags()
        lines = [
            "# HELP eventlens_ingested_events_total Events answered by this instance's ingest.",
            "# TYPE eventlens_ingested_events_total counter",
        ]
        for outcome, count in platform.serving.counters.totals().items():
            lines.append(f'eventlens_ingested_events_total{{outcome="{outcome}"}} {count}')
        lines += [
            "# HELP eventlens_projection_events_behind Events not yet applied.",
            "# TYPE eventlens_projection_events_behind gauge",
            *(
                f'eventlens_projection_events_behind{{projection="{lag.projection}"}} '
                f"{lag.events_behind}"
                for lag in lags
            ),
            "# HELP eventlens_projection_seconds_behind Age of the oldest unapplied event.",
            "# TYPE eventlens_projection_seconds_behind gauge",
            *(
                f'eventlens_projection_seconds_behind{{projection="{lag.projection}"}} '
                f"{lag.seconds_behind:.3f}"
                for lag in lags
            ),
        ]
        return "\n".join(lines) + "\n"

    api.include_router(dashboard_router())  # last: it answers every other GET
    if platform.settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        api.add_middleware(
            CORSMiddleware,
            allow_origins=[o.strip() for o in platform.settings.cors_origins.split(",")],
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    ingest.fallback = BodyLimit(api, platform.settings.max_request_bytes)
    return ingest
