"""Serves the built dashboard (`dashboard/dist`) at `/`, with client-side routes falling back
to `index.html`.

The build writes a brotli (`.br`) and a gzip (`.gz`) copy beside each text file; a browser that
accepts one gets it as is, with `Content-Encoding` and `Vary: Accept-Encoding`, so nothing is
compressed per request. Each representation has its own strong ETag, and a matching
`If-None-Match` is answered 304. A path under `/assets/` that the build did not write is a 404,
not the app page: a stale bundle asking for a chunk of an older build must fail as a script.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

RESERVED = ("api/", "graphql", "docs", "openapi.json", "redoc", "health", "ready", "metrics")
ASSETS = "assets/"
NOT_BUILT = """<!doctype html><title>EventLens</title>
<p>The dashboard is not built. <code>make up</code> builds it; the API is at
<a href="/docs">/docs</a> and GraphQL at <a href="/graphql">/graphql</a>.</p>"""
# Best first: brotli is the smaller of the two.
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
# Hashed file names never change content; everything else is revalidated on each use.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def dashboard_dir() -> Path:
    configured = os.environ.get("EVENTLENS_DASHBOARD_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "dashboard" / "dist"


def accepted_encodings(accept_encoding: str) -> set[str]:
    """The content codings an Accept-Encoding header allows (a q of 0 refuses one; `*` allows
    what it does not name)."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        name, _, parameters = item.partition(";")
        name = name.strip()
        if not name:
            continue
        quality = parameters.strip().removeprefix("q=").strip() if parameters else "1"
        try:
            qualities[name] = float(quality)
        except ValueError:
            qualities[name] = 0.0
    wildcard = qualities.get("*", 0.0) > 0
    return {
        coding
        for coding, _ in ENCODINGS
        if qualities.get(coding, 1.0 if wildcard else 0.0) > 0
        or (coding == "gzip" and qualities.get("x-gzip", 0.0) > 0)
    }


@dataclass(frozen=True)
class Representation:
    """One file of the build as it is sent: itself, or a compressed copy of it."""

    path: Path
    media_type: str
    encoding: str | None

    @property
    def etag(self) -> str:
        stat = self.path.stat()
        version = hashlib.md5(
            f"{stat.st_mtime_ns}-{stat.st_size}".encode(), usedforsecurity=False
        ).hexdigest()
        return f'"{version}-{self.encoding}"' if self.encoding else f'"{version}"'


def representation(file: Path, accept_encoding: str) -> Representation:
    """`file`, or its compressed copy when the browser accepts that coding. A copy older than
    its file (the file was edited after the build) is not used."""
    media_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type == "image/svg+xml":
        media_type += "; charset=utf-8"
    accepted = accepted_encodings(accept_encoding)
    modified = file.stat().st_mtime_ns
    for coding, suffix in ENCODINGS:
        copy = file.with_name(file.name + suffix)
        if coding in accepted and copy.is_file() and copy.stat().st_mtime_ns >= modified:
            return Representation(copy, media_type, coding)
    return Representation(file, media_type, None)


def matches(if_none_match: str, etag: str) -> bool:
    """If-None-Match compares weakly: a W/ prefix does not matter."""
    if if_none_match.strip() == "*":
        return True
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags


def send(file: Path, request: Request, cache_control: str) -> Response:
    chosen = representation(file, request.headers.get("accept-encoding", ""))
    etag = chosen.etag
    headers = {"Cache-Control": cache_control, "Vary": "Accept-Encoding", "ETag": etag}
    if matches(request.headers.get("if-none-match", ""), etag):
        return Response(status_code=304, headers=headers)
    if chosen.encoding:
        headers["Content-Encoding"] = chosen.encoding
    return FileResponse(chosen.path, media_type=chosen.media_type, headers=headers)


def dashboard_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    root = dashboard_dir().resolve()

    @router.get("/{path:path}", response_model=None)
    async def serve(path: str, request: Request) -> Response:
        if path.startswith(RESERVED):
            raise HTTPException(404)  # the error handler answers "no_route"
        index = root / "index.html"
        if not index.exists():
            return HTMLResponse(NOT_BUILT)
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            in_assets = path.startswith(ASSETS)
            return send(candidate, request, IMMUTABLE if in_assets else REVALIDATE)
        if path.startswith(ASSETS):
            return Response(status_code=404, media_type="text/plain", content="no such file\n")
        return send(index, request, REVALIDATE)

    return router
