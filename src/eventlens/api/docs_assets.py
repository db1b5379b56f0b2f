"""Swagger UI at `/docs` and ReDoc at `/redoc`, served from files installed with EventLens.

FastAPI's own pages load their scripts and styles from a public CDN: blank pages on an offline or
air-gapped network, and a request to a third party from every reader's browser. The pinned
`fastapi-offline` package ships the same bundles (Swagger UI 5, ReDoc 2) as files; they are
served at `/docs/assets/` and the pages point there. The API needs no Node.js for this.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
REDOC_URL = "/redoc"
ASSETS_URL = f"{DOCS_URL}/assets"

# The pages may load only from this server. The bundles hold the odd hard-coded URL (ReDoc's
# sidebar shows a logo from its vendor's CDN): the browser refuses it instead of sending it
# there. Inline scripts and styles are how FastAPI's pages start the bundles and how both style
# themselves; ReDoc runs its search in a worker made from a blob.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    )
)


def assets_dir() -> Path:
    """The package's bundles: swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js,
    favicon.png. Not its API, hence the exact pin in pyproject.toml; the end-to-end tests fetch
    every file the pages name."""
    return Path(fastapi_offline.__file__).parent / "static"


def install_docs(app: FastAPI) -> None:
    """Adds `/docs` (with Swagger UI's OAuth2 redirect page), `/redoc` and their files to `app`,
    which must be created with `docs_url=None, redoc_url=None` (FastAPI's CDN pages), and before
    any catch-all route (the dashboard's)."""
    openapi_url = app.openapi_url
    if openapi_url is None:
        raise ValueError("the API documentation pages need the OpenAPI document")
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="docs-assets")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = _root_path(request)
        page = get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + oauth2_redirect_url if oauth2_redirect_url else None,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            # "none": Swagger UI would otherwise show a badge image from swagger.io's online
            # validator, sending it this document's URL, whenever the API is not on localhost.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": "none"},
        )
        return _local_only(page)

    if oauth2_redirect_url:

        @app.get(oauth2_redirect_url, include_in_schema=False)
        async def swagger_ui_oauth2_redirect() -> HTMLResponse:
            return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = _root_path(request)
        page = get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,  # a font CDN: ReDoc falls back to the system's fonts
        )
        return _local_only(page)


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


def _root_path(request: Request) -> str:
    """The prefix a reverse proxy serves the API under (uvicorn's --root-path), as FastAPI's own
    pages use it."""
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/")
