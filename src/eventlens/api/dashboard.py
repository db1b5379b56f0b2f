"""Serves the built dashboard (`dashboard/dist`) at `/`, with client-side routes falling back
to `index.html`."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

RESERVED = ("api/", "graphql", "docs", "openapi.json", "redoc", "health", "ready", "metrics")
NOT_BUILT = """<!doctype html><title>EventLens</title>
<p>The dashboard is not built. <code>make up</code> builds it; the API is at
<a href="/docs">/docs</a> and GraphQL at <a href="/graphql">/graphql</a>.</p>"""


def dashboard_dir() -> Path:
    configured = os.environ.get("EVENTLENS_DASHBOARD_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "dashboard" / "dist"


def dashboard_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    root = dashboard_dir().resolve()

    @router.get("/{path:path}", response_model=None)
    async def serve(path: str) -> FileResponse | HTMLResponse:
        if path.startswith(RESERVED):
            raise HTTPException(404)  # the error handler answers "no_route"
        index = root / "index.html"
        if not index.exists():
            return HTMLResponse(NOT_BUILT)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            cache = (
                "public, max-age=31536000, immutable" if "/assets/" in f"/{path}" else "no-cache"
            )
            return FileResponse(candidate, headers={"Cache-Control": cache})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return router
