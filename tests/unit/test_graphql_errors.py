"""GraphQL errors: a client's mistake is answered, not logged; an internal error is both."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import GraphQLError

from eventlens.graphql.errors import shape
from eventlens.graphql.schema import schema


def execute(query: str) -> Any:
    context = {"platform": SimpleNamespace(cache=None), "tokens": None, "request": None}
    return asyncio.run(schema.execute(query, context_value=context))


def test_an_unauthenticated_query_is_answered_401_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = execute("{ me { username } }")

    assert result.errors[0].extensions["status"] == 401
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_invalid_query_is_answered_400_and_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = execute("{ nothingHere }")

    assert result.errors[0].extensions["status"] == 400
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_an_internal_error_is_answered_without_details_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = asyncio.run(schema.execute("{ me { username } }", context_value={}))

    assert result.errors[0].message == "internal error"
    assert any(r.levelno >= logging.ERROR for r in caplog.records)


def test_a_subscription_sent_for_one_result_is_answered_400_naming_the_websocket(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        result = execute("subscription { liveStats { totalEvents } }")

    [error] = result.errors
    assert error.extensions["status"] == 400
    assert "WebSocket" in error.message
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_a_recursion_error_while_resolving_is_answered_422_not_500() -> None:
    error = GraphQLError("maximum recursion depth exceeded", original_error=RecursionError())

    shape(error)

    assert error.extensions["status"] == 422
    assert "nested too deeply" in error.message
