"""Mounts the schema at `/graphql` (GraphiQL in a browser, subscriptions over WebSocket)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException  # strawberry's HTTP error (its cross-web dependency)
from fastapi import Request, WebSocket
from starlette.websockets import WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UNSET, UnsetType

from eventlens.access.actors import Unauthenticated
from eventlens.domain.errors import TooManyRequests
from eventlens.graphql.context import authenticate, bearer_token
from eventlens.graphql.errors import TOO_DEEP
from eventlens.graphql.ide import graphiql_html
from eventlens.graphql.schema import schema
from eventlens.graphql.shared_reads import SharedReads
from eventlens.runtime.read_limits import ReadLimits

TOO_MANY_SOCKETS = 4429  # a WebSocket refused because its user holds as many as one may


class ClosedOnceWebSocket(ASGIWebSocketAdapter):
    """A WebSocket that a refusal may close first, with its own code and reason."""

    async def close(self, code: int, reason: str) -> None:
        if self.ws.application_state is not WebSocketState.DISCONNECTED:
            await super().close(code, reason)


class EventLensGraphQL(GraphQLRouter[dict[str, Any], None]):
    dashboard_dist: Path  # the dashboard build, with graphiql.html
    websocket_adapter_class = ClosedOnceWebSocket

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        try:
            return await super().run(request, context, root_value)
        finally:
            if isinstance(context, dict) and "socket_of" in context:
                context["limits"].close_socket(context.pop("socket_of"))

    @property
    def graphql_ide_html(self) -> str:
        return graphiql_html(self.dashboard_dist)  # not strawberry's page, from a CDN (ide.py)

    def encode_json(self, data: object) -> str | bytes:
        # Text, not bytes: over a WebSocket, bytes would go out as binary frames, which
        # graphql-transport-ws clients do not read.
        try:
            return orjson.dumps(data).decode()  # a time series' points: many times faster
        except TypeError:  # what orjson refuses, such as integers beyond 64 bits
            return super().encode_json(data)

    def parse_json(self, data: str | bytes) -> Any:
        # The decoder recurses once per level: a body nested deeper than the stack is the
        # client's mistake, answered like strawberry's other body errors, not a 500.
        try:
            return super().parse_json(data)
        except RecursionError:
            raise HTTPException(422, TOO_DEEP) from None

    async def on_ws_connect(self, context: dict[str, Any]) -> UnsetType | dict[str, object] | None:
        params = context.get("connection_params") or {}
        token = bearer_token(params.get("Authorization") or params.get("authorization"))
        if token is None and isinstance(params.get("token"), str):
            token = params["token"]
        try:
            context["actor"] = who = authenticate(context, token)
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": str(error)}) from None
        limits: ReadLimits = context["limits"]
        try:
            limits.open_socket(who.username)
        except TooManyRequests as error:
            await context["websocket"].close(code=TOO_MANY_SOCKETS, reason=str(error)[:120])
            raise ConnectionRejectionError({"message": str(error)}) from None
        context["socket_of"] = who.username  # counted out when the socket closes (`run`)
        context["token"] = token  # checked again before each push (still_signed_in)
        return None


async def get_context(request: Request = None, websocket: WebSocket = None) -> dict[str, Any]:  # type: ignore[assignment]
    connection = request if request is not None else websocket
    app = connection.app
    await app.state.platform.sync_catalog()  # see changes made through other API processes
    return {
        "platform": app.state.platform,
        "tokens": app.state.tokens,
        "limits": app.state.read_limits,
        "request": request,
        "websocket": websocket,
    }


def graphql_router(dashboard_dist: Path) -> EventLensGraphQL:
    shared_reads = SharedReads()  # the live subscriptions this router serves share queries

    async def context_with_shared_reads(
        request: Request = None,  # type: ignore[assignment]
        websocket: WebSocket = None,  # type: ignore[assignment]
    ) -> dict[str, Any]:
        return {**await get_context(request, websocket), "shared_reads": shared_reads}

    router = EventLensGraphQL(
        schema, context_getter=context_with_shared_reads, graphql_ide="graphiql"
    )
    router.dashboard_dist = dashboard_dist
    return router
