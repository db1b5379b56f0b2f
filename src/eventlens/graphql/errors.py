"""GraphQL errors carry the REST error's fields in `extensions`: status, code and field."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from psycopg.errors import QueryCanceled
from strawberry.types import ExecutionContext

from eventlens.access.actors import Unauthenticated
from eventlens.domain.errors import DomainError
from eventlens.statuses import QUERY_TOO_SLOW, STATUS_BY_ERROR


def extensions_for(error: GraphQLError) -> dict[str, Any]:
    original = error.original_error
    if isinstance(original, Unauthenticated):
        return {"status": 401, "code": "unauthorized"}
    if isinstance(original, DomainError):
        found: dict[str, Any] = {
            "status": STATUS_BY_ERROR.get(type(original), 400),
            "code": original.code,
        }
        if original.field:
            found["field"] = original.field
        return found
    if isinstance(original, QueryCanceled):
        return {"status": 503, "code": "query_too_slow", "message": QUERY_TOO_SLOW}
    if original is None:
        return {"status": 400, "code": "invalid_query"}
    return {"status": 500, "code": "internal_error"}


def shape(error: GraphQLError) -> None:
    """Give the error the REST error's status, code and field (once; again is a no-op)."""
    if error.extensions and "status" in error.extensions:
        return
    extra = extensions_for(error)
    if extra["status"] == 500:
        error.message = "internal error"
    error.message = extra.pop("message", error.message)
    error.extensions = {**(error.extensions or {}), **extra}


class ShapedErrorsSchema(strawberry.Schema):
    """Shapes every operation's errors, over HTTP and over a WebSocket (one result or a
    stream): all of them pass through `process_errors`."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            shape(error)
        # What the client did wrong is its answer, not the server's log: only internal
        # errors are logged, with their traceback.
        unexpected = [e for e in errors if (e.extensions or {}).get("status") == 500]
        if unexpected:
            super().process_errors(unexpected, execution_context)
