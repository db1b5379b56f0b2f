"""Request dependencies: the running platform and the authenticated actor.

Those that do not block are `async def`: FastAPI runs a plain `def` dependency in its thread
pool, a hand-off that cost more than the dependency's own work on every request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from eventlens.api.tokens import InvalidToken, TokenIssuer, credential_stamp
from eventlens.commands.actor import Actor
from eventlens.domain.user import Role
from eventlens.runtime import Platform

bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login")


async def get_platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


async def get_tokens(request: Request) -> TokenIssuer:
    tokens: TokenIssuer = request.app.state.tokens
    return tokens


PlatformDep = Annotated[Platform, Depends(get_platform)]


def unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers={"WWW-Authenticate": "Bearer"})


def actor_from_token(platform: Platform, tokens: TokenIssuer, token: str) -> Actor:
    try:
        claims = tokens.verify(token)
    except InvalidToken as error:
        raise unauthorized(str(error)) from None
    user = platform.cache.user(claims.username)
    if user is None or user.removed:
        raise unauthorized("the token's user no longer exists")
    if credential_stamp(user.password_hash) != claims.credential:
        raise unauthorized("the password changed since this token was issued; sign in again")
    return Actor(username=user.username, role=Role(user.role))


def current_actor(
    platform: PlatformDep,
    tokens: Annotated[TokenIssuer, Depends(get_tokens)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None:
        raise unauthorized("authentication required: send 'Authorization: Bearer <token>'")
    # Run in FastAPI's thread pool: read what other API processes recorded until now, so a
    # request sees every change whose answer came before it (read your writes).
    platform.cache.refresh()
    return actor_from_token(platform, tokens, credentials.credentials)


async def admin_actor(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
    if not actor.is_admin:
        raise HTTPException(403, "this needs the admin role")
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]
AdminDep = Annotated[Actor, Depends(admin_actor)]
