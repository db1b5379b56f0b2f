"""Input nested deeper than the interpreter's stack: given a JSON Schema or a request body
nested hundreds of levels deep, when it is registered or sent, then a 422 names the problem
(never a 500)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from eventlens.api import errors
from eventlens.commands.actor import Actor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.errors import InvalidInput
from eventlens.domain.json_schema import MAX_SCHEMA_DEPTH
from eventlens.domain.schema import schema_id_for
from eventlens.domain.user import Role
from eventlens.eventstore.catalog import Catalog
from eventlens.graphql.router import graphql_router
from eventlens.runtime.read_limits import ReadLimits

ADMIN = Actor("root", Role.ADMIN)


def nested_schema(levels: int) -> dict[str, Any]:
    json_schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        json_schema = {"type": "object", "properties": {"child": json_schema}}
    return json_schema


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.mark.parametrize("levels", [MAX_SCHEMA_DEPTH, 300, 5000])
def test_registering_a_schema_nested_too_deeply_is_refused_naming_the_event_type(
    catalog: Catalog, levels: int
) -> None:
    command = RegisterSchema(ADMIN, "shop", None, {"click": nested_schema(levels)})

    with pytest.raises(InvalidInput) as refused:
        register_schema(command, catalog)

    assert "event type 'click'" in refused.value.message
    assert "nested too deeply" in refused.value.message
    assert refused.value.field == "properties.click"
    assert not catalog.has(schema_id_for("shop"))


def test_a_schema_nested_within_the_limit_is_registered(catalog: Catalog) -> None:
    json_schema = nested_schema(MAX_SCHEMA_DEPTH // 2 - 1)  # two JSON levels per schema level

    schema = register_schema(RegisterSchema(ADMIN, "shop", None, {"click": json_schema}), catalog)

    assert schema.event_types["click"] == json_schema


def app() -> FastAPI:
    async def sync_catalog() -> None:
        return None

    api = FastAPI()
    api.state.platform = SimpleNamespace(sync_catalog=sync_catalog, cache=None)
    api.state.tokens = None
    api.state.read_limits = ReadLimits()
    errors.install(api)
    api.include_router(graphql_router(Path("no-dashboard")), prefix="/graphql")

    @api.get("/deep")
    async def deep() -> None:
        raise RecursionError("maximum recursion depth exceeded")

    return api


def send(method: str, path: str, body: str | None = None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app())
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            headers = {"Content-Type": "application/json"}
            return await client.request(method, path, content=body, headers=headers)

    return asyncio.run(go())


def test_a_graphql_body_nested_too_deeply_is_answered_422() -> None:
    variables = "[" * 100_000 + "]" * 100_000
    body = '{"query": "{ __typename }", "variables": {"v": ' + variables + "}}"

    response = send("POST", "/graphql", body)

    assert response.status_code == 422
    assert "nested too deeply" in response.text


def test_a_subscription_posted_over_http_is_answered_400_naming_the_websocket() -> None:
    response = send("POST", "/graphql", '{"query": "subscription { liveStats { totalEvents } }"}')

    [error] = response.json()["errors"]
    assert error["extensions"]["status"] == 400
    assert "WebSocket" in error["message"]


def test_a_recursion_error_in_any_route_is_answered_422() -> None:
    response = send("GET", "/deep")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too_deep"
