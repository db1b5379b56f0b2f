"""The tracker script at `GET /t.js`, and at a second path of the operator's choosing
(`EVENTLENS_TRACKER_PATH`) that ad-block lists do not know.

The script is built from `tracker/t.js` into `static/t.js` and read once at start-up, when it
is also compressed, so a request costs no file or compression work. Browsers keep it for a day
(ETag revalidation after that); a request carrying `?v=<version>` names one build and may be
kept for a year.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request, Response

from eventlens.domain.snippet import TRACKER_PATH

SCRIPT_FILE = Path(__file__).resolve().parent / "static" / "t.js"
DAY = "public, max-age=86400"
YEAR = "public, max-age=31536000, immutable"

# First path segments other routes answer: the APIs, the documentation, the health checks,
# and the dashboard's pages and files.
RESERVED_SEGMENTS = frozenset(
    {
        "api",
        "graphql",
        "metrics",
        "health",
        "ready",
        "docs",
        "redoc",
        "openapi.json",
        "assets",
        "login",
        "events",
        "schemas",
        "adaptors",
        "pipeline",
        "settings",
        "index.html",
        "graphiql.html",
        "config.js",
        "favicon.svg",
    }
)
PATH_SHAPE = re.compile(r"(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+")


@dataclass(frozen=True)
class TrackerScript:
    """One build of the script, with its gzip encoding and its version (a content hash)."""

    body: bytes
    gzipped: bytes
    version: str

    @classmethod
    def of(cls, body: bytes) -> TrackerScript:
        return cls(
            body=body,
            gzipped=gzip.compress(body, compresslevel=9, mtime=0),
            version=hashlib.sha256(body).hexdigest()[:16],
        )

    @classmethod
    def load(cls, path: Path = SCRIPT_FILE) -> TrackerScript:
        return cls.of(path.read_bytes())

    def etag(self, gzipped: bool) -> str:
        # A strong ETag names one representation: the gzip encoding has its own.
        return f'"{self.version}-gzip"' if gzipped else f'"{self.version}"'


def check_tracker_path(path: str) -> str:
    """The path, when it can serve the script; otherwise ValueError saying why."""
    if not path.startswith("/"):
        raise ValueError(f"{path!r} must start with '/' (e.g. /js/site.js)")
    if not PATH_SHAPE.fullmatch(path):
        raise ValueError(
            f"{path!r} must be segments of letters, digits, '.', '_', '~' and '-' after each '/' "
            "(no query, no trailing '/', no '.' or '..' segment)"
        )
    first = path.split("/")[1]
    if first in RESERVED_SEGMENTS:
        raise ValueError(f"{path!r} is under /{first}, which EventLens already serves")
    return path


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (a q of 0 refuses it)."""
    allowed: dict[str, bool] = {}
    for item in accept_encoding.lower().split(","):
        name, _, parameters = item.partition(";")
        quality = parameters.strip().removeprefix("q=").strip() if parameters else "1"
        try:
            allowed[name.strip()] = float(quality) > 0
        except ValueError:
            allowed[name.strip()] = False
    return allowed.get("gzip", allowed.get("x-gzip", allowed.get("*", False)))


def _matches(if_none_match: str, script: TrackerScript) -> bool:
    if if_none_match.strip() == "*":
        return True
    # If-None-Match compares weakly: W/ is ignored, and either encoding's tag names this build.
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return bool(tags & {script.etag(gzipped=False), script.etag(gzipped=True)})


def answer(script: TrackerScript, request: Request) -> Response:
    gzipped = accepts_gzip(request.headers.get("accept-encoding", ""))
    headers = {
        "ETag": script.etag(gzipped),
        "Cache-Control": YEAR if request.query_params.get("v") == script.version else DAY,
        "Vary": "Accept-Encoding",
        "X-Content-Type-Options": "nosniff",
        # Sites that isolate themselves (Cross-Origin-Embedder-Policy) may still load it.
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if _matches(request.headers.get("if-none-match", ""), script):
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(
        script.gzipped if gzipped else script.body,
        media_type="text/javascript; charset=utf-8",
        headers=headers,
    )


def tracker_router(script: TrackerScript, extra_path: str | None = None) -> APIRouter:
    """`GET`/`HEAD` of the script at /t.js and at `extra_path` (checked: ValueError)."""
    paths = [TRACKER_PATH]
    if extra_path is not None and check_tracker_path(extra_path) != TRACKER_PATH:
        paths.append(extra_path)
    router = APIRouter(include_in_schema=False)

    async def serve(request: Request) -> Response:
        return answer(script, request)

    for path in paths:
        router.add_api_route(path, serve, methods=["GET", "HEAD"], response_model=None)
    return router
