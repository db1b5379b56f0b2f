"""Request dependencies: the running platform, the authenticated actor, catalog commands.

Those that do not block are `async def`: FastAPI runs a plain `def` dependency in its thread
pool, a hand-off that cost more than the dependency's own work on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from eventlens.access.actors import Unauthenticated, actor_from_token
from eventlens.access.readers import StatsReader, stats_reader_from_token
from eventlens.access.tokens import TokenIssuer
from eventlens.commands.actor import Actor
from eventlens.domain.credentials import is_api_key
from eventlens.eventstore.catalog import Catalog
from eventlens.projections.catalog_cache import CatalogCache
from eventlens.runtime.platform import Platform

C = TypeVar("C")
R = TypeVar("R")

bearer = HTTPBearer(
    auto_error=False,
    description="An access token from /api/auth/login; the stats routes also take an API key "
    "(el_...) or a shared link's token",
)


async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def get_tokens(request: Request) -> TokenIssuer:
    tokens: TokenIssuer = request.app.state.tokens
    return tokens


PlatformDep = Annotated[Platform, Depends(get_platform)]


def unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def current_actor(
    platform: PlatformDep,
    tokens: Annotated[TokenIssuer, Depends(get_tokens)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    # Run in FastAPI's thread pool: read what other API processes recorded until now, so a
    # request sees every change whose answer came before it (read your writes).
    platform.cache.sync()
    try:
        return actor_from_token(
            platform.cache, tokens, credentials.credentials if credentials else None
        )
    except Unauthenticated as error:
        raise unauthorized(str(error)) from None


async def admin_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    if not actor.is_admin:
        raise HTTPException(403, "this needs the admin role")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
AdminDep = Annotated[Actor, Depends(admin_actor)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def too_many_attempts(wait: int, what: str) -> HTTPException:
    return HTTPException(
        429, f"too many failed {what}; try again in {wait} s", headers={"Retry-After": str(wait)}
    )


async def stats_reader(
    request: Request,
    platform: PlatformDep,
    tokens: Annotated[TokenIssuer, Depends(get_tokens)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StatsReader:
    """A signed-in user, an API key or a shared link's token: which sites it reads is
    `access.readers.readable_sites(reader)`."""
    await platform.sync_catalog()  # a key created or revoked through another API process
    token = credentials.credentials if credentials else None
    try:
        return stats_reader_from_token(platform.cache, tokens, token)
    except Unauthenticated as error:
        if token is not None and is_api_key(token):
            # Only failures are counted: a valid key costs no round trip to the database.
            key = f"api-key-client:{client_address(request)}"
            wait = await platform.login_throttle.reserve(key)
            if wait:
                raise too_many_attempts(wait, "API keys") from None
        raise unauthorized(str(error)) from None


StatsReaderDep = Annotated[StatsReader, Depends(stats_reader)]


class CatalogCommands:
    """Runs a catalog command, then reads what it recorded into this process's catalog cache,
    so whatever this process serves next (ingest included) already sees the change."""

    def __init__(self, catalog: Catalog, cache: CatalogCache) -> None:
        self._catalog = catalog
        self._cache = cache

    def __call__(self, handler: Callable[[C, Catalog], R], command: C) -> R:
        result = handler(command, self._catalog)
        self._cache.refresh()
        return result


async def get_commands(platform: PlatformDep) -> CatalogCommands:
    return CatalogCommands(platform.catalog, platform.cache)


CommandsDep = Annotated[CatalogCommands, Depends(get_commands)]
