"""REST and GraphQL answers are counted by status class for the 5xx alert, a request that
raised counting as the 500 the server answers for it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from prometheus_client import REGISTRY

from eventlens.api.metrics import QueryTimer


def counted(api: str, status_class: str) -> float:
    value = REGISTRY.get_sample_value(
        "eventlens_http_responses_total", {"api": api, "status_class": status_class}
    )
    return value or 0.0


def answering(status: int) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return app


async def raising(scope: dict[str, Any], receive: Any, send: Any) -> None:
    raise RuntimeError("a bug")


async def ignore(message: dict[str, Any]) -> None:
    pass


def serve(app: Any, path: str) -> None:
    scope = {"type": "http", "path": path, "method": "GET"}
    asyncio.run(QueryTimer(app)(scope, None, ignore))


def test_answers_are_counted_by_api_and_status_class() -> None:
    before = counted("rest", "4xx"), counted("graphql", "2xx"), counted("rest", "2xx")
    serve(answering(404), "/api/schemas/nothing")
    serve(answering(200), "/graphql")
    assert counted("rest", "4xx") == before[0] + 1
    assert counted("graphql", "2xx") == before[1] + 1
    assert counted("rest", "2xx") == before[2]


def test_a_request_that_raised_counts_as_a_server_error() -> None:
    before = counted("rest", "5xx")
    with pytest.raises(RuntimeError):
        serve(raising, "/api/stats")
    assert counted("rest", "5xx") == before + 1


def test_the_dashboards_pages_are_not_counted() -> None:
    before = counted("rest", "2xx")
    serve(answering(200), "/sites")
    assert counted("rest", "2xx") == before
