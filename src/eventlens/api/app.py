"""The ASGI application: FastAPI for the REST API, with the lean ingest path in front."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from eventlens import __version__
from eventlens.api import adaptors, auth, errors, events, schemas, users
from eventlens.api.ingest import IngestApp
from eventlens.api.tokens import TokenIssuer
from eventlens.config import Settings
from eventlens.runtime import Platform


def create_app(settings: Settings | None = None, *, run_workers: bool = True) -> Any:
    platform = Platform(settings or Settings(), run_workers=run_workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await platform.start()
        app.state.tokens = TokenIssuer(platform.token_secret)
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
    errors.install(api)
    api.include_router(auth.router)
    api.include_router(events.router)
    api.include_router(schemas.router)
    api.include_router(adaptors.router)
    api.include_router(users.router)

    @api.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return IngestApp(platform, api)
