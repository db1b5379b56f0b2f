"""The ASGI application: FastAPI for the REST API, with the lean ingest path in front."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from eventlens import __version__
from eventlens.access.tokens import TokenIssuer
from eventlens.api import (
    adaptors,
    alerts,
    api_keys,
    audit_log,
    auth,
    collection,
    errors,
    event_import,
    events,
    funnels,
    goals,
    health,
    privacy,
    reprocess,
    retention,
    schemas,
    shared_links,
    stats_realtime,
    stats_v2,
    users,
)
from eventlens.api.access_log import AccessLog
from eventlens.api.ingest import Ingest, IngestLimits
from eventlens.api.ingest_asgi import IngestApp
from eventlens.api.limits import BodyLimit
from eventlens.api.metrics import QueryTimer
from eventlens.api.security_headers import PagePolicy, SecurityHeaders
from eventlens.api.tracker import TrackerScript, tracker_router
from eventlens.config import Settings
from eventlens.runtime.platform import Platform, Serving
from eventlens.runtime.read_limits import ReadLimits, ReadQuotas


def create_app(
    settings: Settings | None = None,
    *,
    run_workers: bool = True,
    serving: Serving | None = None,
) -> Any:
    settings = settings or Settings()
    platform = Platform(settings, run_workers=run_workers, serving=serving)
    ingest = Ingest(
        IngestLimits(
            settings.max_body_bytes,
            settings.max_batch_body_bytes,
            settings.max_batch_events,
            settings.ingest_rate_limit,
        )
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await platform.start()
        ingest.serve(platform.cache, platform.store, platform.visitors)
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
        docs_url=None,  # FastAPI's pages load from a CDN: install_docs serves them locally
        redoc_url=None,
    )
    api.state.platform = platform
    api.state.read_limits = ReadLimits(ReadQuotas.of(settings))
    errors.install(api)
    for routes in (
        auth,
        events,
        event_import,
        collection,
        reprocess,
        schemas,
        adaptors,
        users,
        stats_v2,
        stats_realtime,
        api_keys,
        shared_links,
        funnels,
        goals,
        privacy,
        audit_log,
        alerts,  # and the e-mail reports
        retention,
    ):
        api.include_router(routes.router)
    from eventlens.api.dashboard import dashboard_dir
    from eventlens.api.docs_assets import install_docs
    from eventlens.graphql.router import graphql_router

    api.include_router(graphql_router(dashboard_dir()), prefix="/graphql", tags=["graphql"])
    install_docs(api)

    api.include_router(health.router)
    try:
        api.include_router(tracker_router(TrackerScript.load(), settings.tracker_path))
    except ValueError as error:
        raise SystemExit(f"EVENTLENS_TRACKER_PATH: {error}") from None
    from eventlens.api.dashboard import dashboard_router

    api.include_router(dashboard_router())  # last: it answers every other GET
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        api.add_middleware(
            CORSMiddleware,
            allow_origins=[o.strip() for o in settings.cors_origins.split(",")],
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    pages = PagePolicy(dashboard_dir() / page for page in ("index.html", "graphiql.html"))
    served = QueryTimer(BodyLimit(api, settings.max_request_bytes))
    return IngestApp(ingest, AccessLog(SecurityHeaders(served, pages)))
