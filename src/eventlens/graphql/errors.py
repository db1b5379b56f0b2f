"""GraphQL errors carry the REST error's fields in `extensions`: status, code and field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from psycopg.errors import QueryCanceled
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from eventlens.access.actors import Unauthenticated
from eventlens.domain.errors import DomainError
from eventlens.statuses import QUERY_TOO_SLOW, STATUS_BY_ERROR

TOO_DEEP = "the request is nested too deeply to be processed"
SUBSCRIPTION_OVER_HTTP = (
    "subscriptions are served over a WebSocket at /graphql (graphql-transport-ws protocol), "
    "not over HTTP; send queries over HTTP"
)
ALL_OPERATIONS = frozenset(OperationType)


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
    # The input was deeper than the interpreter's stack: the client's to change.
    if isinstance(original, RecursionError):
        return {"status": 422, "code": "too_deep", "message": TOO_DEEP}
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

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """One result: a subscription, which streams, is refused with a 400 naming the way
        to run it. (Left to run, its resolver's stream is no result, answered 500.)"""
        allowed = set(allowed_operation_types or ALL_OPERATIONS) - {OperationType.SUBSCRIPTION}
        try:
            return await super().execute(
                query,
                variable_values,
                context_value,
                root_value,
                operation_name,
                allowed,
                operation_extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is not OperationType.SUBSCRIPTION:
                raise
            refused = GraphQLError(
                SUBSCRIPTION_OVER_HTTP, extensions={"status": 400, "code": "invalid_query"}
            )
            return ExecutionResult(data=None, errors=[refused])

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
