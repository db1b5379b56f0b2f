"""Browser hardening headers on every answer of the API and the dashboard.

Pages may load only from this server and may not be framed; nothing is sniffed into another
type; no address leaks in a Referer; HTTPS is pinned once the request came over TLS (the scheme
as a trusted proxy reported it). An answer that brings its own policy (the API documentation
pages) keeps it. The ingest endpoints answer before this: they serve other sites' pages, and
CORS is theirs to decide.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.datastructures import MutableHeaders

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

# For everything that is not a page (JSON, scripts, images): nothing may run or load in it.
RESOURCE_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Styles: React and the chart library set style attributes, and GraphiQL's editor inserts
# style elements; scripts stay strict.
PAGE_DIRECTIVES = (
    "default-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
STATIC_HEADERS = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
)
HSTS = ("strict-transport-security", "max-age=31536000")
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.I)


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources for the inline scripts of a page."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
        if body.strip()
    ]


class PagePolicy:
    """The pages' policy. The inline scripts it allows are those of the built pages on disk,
    by hash (read again when a rebuild changes them): nothing a request could inject."""

    def __init__(self, pages: Iterable[Path]) -> None:
        self._pages = list(pages)
        self._seen: tuple[float, ...] | None = None
        self._policy = ""

    def __str__(self) -> str:
        stamps = tuple(_modified(page) for page in self._pages)
        if stamps != self._seen:
            hashes = sorted({h for page in self._pages if page.is_file() for h in _hashes_of(page)})
            script = " ".join(["script-src 'self'", *hashes])
            self._policy = "; ".join((PAGE_DIRECTIVES[0], script, *PAGE_DIRECTIVES[1:]))
            self._seen = stamps
        return self._policy


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _hashes_of(page: Path) -> list[str]:
    return inline_script_hashes(page.read_text(encoding="utf-8"))


class SecurityHeaders:
    def __init__(self, app: ASGIApp, page_policy: PagePolicy) -> None:
        self.app = app
        self.page_policy = page_policy

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        over_tls = scope.get("scheme") == "https"

        async def send_hardened(message: Message) -> None:
            if message["type"] == "http.response.start":
                # A 304 updates the headers of the copy the browser keeps, which carries the
                # policy its type needs: the 304 has no type, so it leaves the policy alone.
                policy = message["status"] != 304
                self._harden(MutableHeaders(scope=message), over_tls, policy)
            await send(message)

        await self.app(scope, receive, send_hardened)

    def _harden(self, headers: MutableHeaders, over_tls: bool, policy: bool) -> None:
        if policy and "content-security-policy" not in headers:
            page = headers.get("content-type", "").startswith("text/html")
            headers["content-security-policy"] = str(self.page_policy) if page else RESOURCE_POLICY
        for name, value in STATIC_HEADERS:
            headers.setdefault(name, value)
        if over_tls:
            headers.setdefault(*HSTS)
