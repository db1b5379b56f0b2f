"""One JSON error shape for every failure:

    {"detail": "<message>", "error": {"status": 422, "code": "invalid", "message": "...",
                                      "field": "name", "details": [...]}}

`detail` keeps clients written for FastAPI's default shape working.

A client's mistake is its answer, not the server's problem: it is logged at DEBUG, one line
without a traceback, so that anonymous requests cannot fill the log. An internal error answers
500 in the same shape and is logged at ERROR with its traceback by the server.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg.errors import QueryCanceled
from psycopg_pool import PoolTimeout
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from eventlens.domain.errors import (
    DomainError,
)
from eventlens.eventstore.port import StoreUnavailable
from eventlens.statuses import QUERY_TOO_SLOW, STATUS_BY_ERROR

log = logging.getLogger(__name__)

CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    status: int
    code: str
    message: str
    field: str | None = None
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Every error: `detail` for FastAPI-style clients, `error` with the specifics."""

    detail: str
    error: ErrorDetail


DESCRIPTIONS = {
    400: "Malformed request (e.g. not JSON)",
    401: "Not signed in, or the token is invalid or expired",
    403: "The role does not allow this",
    404: "Not found",
    409: "Conflicts with the current state",
    410: "Gone (e.g. the schema is retired)",
    413: "Request too large",
    415: "Unsupported content type",
    422: "Invalid field or rule violated",
    429: "Too many requests",
    503: "Temporarily unavailable",
}


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the given error statuses, all with the one error shape."""
    return {
        status: {"model": ErrorBody, "description": DESCRIPTIONS[status]} for status in statuses
    }


def error_body(
    status: int,
    message: str,
    *,
    code: str | None = None,
    field: str | None = None,
    details: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    error: dict[str, Any] = {
        "status": status,
        "code": code or CODE_BY_STATUS.get(status, "error"),
        "message": message,
    }
    if field is not None:
        error["field"] = field
    if details:
        error["details"] = details
    error.update(extra)
    return {"detail": message, "error": error}


def error_json(status: int, message: str, **kwargs: Any) -> bytes:
    return orjson.dumps(error_body(status, message, **kwargs))


def validation_details(errors: list[dict[str, Any]] | Any) -> list[dict[str, Any]]:
    """Pydantic errors as `{"field": "a.b", "message": "..."}` items."""
    details = []
    for item in errors:
        location = [str(p) for p in item.get("loc", ()) if p not in ("body",)]
        details.append({"field": ".".join(location) or "(body)", "message": item.get("msg", "")})
    return details


def summarise(details: list[dict[str, Any]]) -> str:
    shown = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    more = f" (and {len(details) - 5} more)" if len(details) > 5 else ""
    return f"invalid request: {shown}{more}"


def answer(
    request: Request,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> JSONResponse:
    """A client error's answer, and its one DEBUG line."""
    body = error_body(status, message, **kwargs)
    code = body["error"]["code"]
    log.debug("%s %s: %s %s: %s", request.method, request.url.path, status, code, message)
    return JSONResponse(body, status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        status = STATUS_BY_ERROR.get(type(error), 400)
        return answer(request, status, error.message, code=error.code, field=error.field)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        details = validation_details(error.errors())
        malformed = any(d["message"].startswith("JSON decode error") for d in details)
        status = 400 if malformed else 422
        message = "request body is not valid JSON" if malformed else summarise(details)
        return answer(request, status, message, details=details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 404 and error.detail == "Not Found":
            # No such route (as opposed to a route answering that a thing does not exist).
            message = f"no route {request.method} {request.url.path}"
            return answer(request, 404, message, code="no_route")
        headers = getattr(error, "headers", None)
        return answer(request, error.status_code, str(error.detail), headers)

    # Input nested deeper than the interpreter's stack (JSON, a JSON Schema, a query) is the
    # client's to change; where a route does not say so itself, this does.
    @app.exception_handler(RecursionError)
    async def too_deep(request: Request, _error: RecursionError) -> JSONResponse:
        message = "the request is nested too deeply to be processed"
        return answer(request, 422, message, code="too_deep")

    # Anything else is the server's fault: the same shape, no details (the server logs the
    # exception with its traceback once this answer is sent).
    @app.exception_handler(Exception)
    async def internal(_request: Request, _error: Exception) -> JSONResponse:
        return JSONResponse(error_body(500, "internal error", code="internal"), 500)

    @app.exception_handler(StoreUnavailable)
    async def store_unavailable(_request: Request, error: StoreUnavailable) -> JSONResponse:
        return JSONResponse(error_body(503, str(error)), 503, headers={"Retry-After": "1"})

    # The database away (stopped, restarting): the request may be sent again shortly.
    @app.exception_handler(psycopg.OperationalError)
    async def database_away(_request: Request, error: psycopg.OperationalError) -> JSONResponse:
        log.warning("the database is unavailable: %s", error)
        message = "the database is unavailable; try again shortly"
        return JSONResponse(error_body(503, message), 503, headers={"Retry-After": "1"})

    @app.exception_handler(PoolTimeout)
    async def no_connection(_request: Request, error: PoolTimeout) -> JSONResponse:
        log.warning("no database connection in time: %s", error)
        message = "the database is unavailable; try again shortly"
        return JSONResponse(error_body(503, message), 503, headers={"Retry-After": "1"})

    @app.exception_handler(QueryCanceled)
    async def too_slow(_request: Request, _error: QueryCanceled) -> JSONResponse:
        return JSONResponse(error_body(503, QUERY_TOO_SLOW, code="query_too_slow"), 503)
