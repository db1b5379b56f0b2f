"""GraphQL errors carry the REST error's fields in `extensions`: status, code and field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError
from psycopg.errors import QueryCanceled
from strawberry.extensions import SchemaExtension

from eventlens.api.errors import QUERY_TOO_SLOW, STATUS_BY_ERROR
from eventlens.domain.errors import DomainError
from eventlens.graphql.context import Unauthenticated


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


class ErrorShape(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        for error in result.errors:
            extra = extensions_for(error)
            if extra["status"] == 500:
                error.message = "internal error"
            error.message = extra.pop("message", error.message)
            error.extensions = {**(error.extensions or {}), **extra}
