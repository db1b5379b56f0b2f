"""Who is asking: the same bearer tokens as REST, over HTTP headers or the WebSocket's
`connection_init` payload (`{"Authorization": "Bearer <token>"}`)."""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from eventlens.access.actors import Unauthenticated, actor_from_token
from eventlens.access.readers import StatsReader, stats_reader_from_token
from eventlens.commands.actor import Actor
from eventlens.domain.errors import PermissionDenied
from eventlens.runtime.platform import Platform


def bearer_token(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate(context: dict[str, Any], token: str | None) -> Actor:
    platform: Platform = context["platform"]
    return actor_from_token(platform.cache, context["tokens"], token)


def actor(info: Info) -> Actor:
    context: dict[str, Any] = info.context
    token = context.get("token")
    if token is not None:
        # A WebSocket's operations share one context for the connection's whole life: check
        # its token for each one (it may have expired, or its user changed, since connecting).
        checked = authenticate(context, token)
        context["actor"] = checked
        return checked
    found: Actor | None = context.get("actor")
    if found is None:
        request = context.get("request")
        header = request.headers.get("authorization") if request is not None else None
        found = authenticate(context, bearer_token(header))
        context["actor"] = found
    return found


def stats_reader(info: Info) -> StatsReader:
    """Who reads stats over HTTP: a user, or a shared link's token (`readable_sites` tells
    which sites). A WebSocket opens with a user's token only (`on_ws_connect`)."""
    context: dict[str, Any] = info.context
    token = context.get("token")
    if token is None:
        request = context.get("request")
        token = bearer_token(request.headers.get("authorization")) if request else None
    platform: Platform = context["platform"]
    return stats_reader_from_token(platform.cache, context["tokens"], token)


async def still_signed_in(info: Info) -> bool:
    """Whether a subscription's connection may go on pushing.

    A WebSocket is authenticated once, when it opens; meanwhile its token expires, or the
    password changes, or the user is removed. A subscription asks again before each push;
    when the answer is no, the connection is closed with 4403, after which a client signs in
    again (or refreshes its token) and reconnects. HTTP requests are checked on their own.
    """
    context: dict[str, Any] = info.context
    if context.get("token") is None:
        return True
    try:
        actor(info)  # checks a WebSocket's token again, against the catalog cache
    except Unauthenticated as error:
        websocket = context.get("websocket")
        if websocket is not None:
            await websocket.close(code=4403, reason=str(error)[:120])
        return False
    return True


def admin(info: Info) -> Actor:
    who = actor(info)
    if not who.is_admin:
        raise PermissionDenied("this needs the admin role")
    return who
