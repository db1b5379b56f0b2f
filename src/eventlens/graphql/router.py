"""Mounts the schema at `/graphql` (GraphiQL in a browser, subscriptions over WebSocket)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException  # strawberry's HTTP error (its cross-web dependency)
from fastapi import Request, WebSocket
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.types.unset import UnsetType

from eventlens.access.actors import Unauthenticated
from eventlens.graphql.context import authenticate, bearer_token
from eventlens.graphql.errors import TOO_DEEP
from eventlens.graphql.ide import graphiql_html
from eventlens.graphql.schema import schema


class EventLensGraphQL(GraphQLRouter[dict[str, Any], None]):
    dashboard_dist: Path  # the dashboard build, with graphiql.html

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
            context["actor"] = authenticate(context, token)
        except Unauthenticated as error:
            raise ConnectionRejectionError({"message": str(error)}) from None
        context["token"] = token  # checked again before each push (still_signed_in)
        return None


async def get_context(request: Request = None, websocket: WebSocket = None) -> dict[str, Any]:  # type: ignore[assignment]
    connection = request if request is not None else websocket
    app = connection.app
    await app.state.platform.sync_catalog()  # see changes made through other API processes
    return {
        "platform": app.state.platform,
        "tokens": app.state.tokens,
        "request": request,
        "websocket": websocket,
    }


def graphql_router(dashboard_dist: Path) -> EventLensGraphQL:
    router = EventLensGraphQL(schema, context_getter=get_context, graphql_ide="graphiql")
    router.dashboard_dist = dashboard_dist
    return router
