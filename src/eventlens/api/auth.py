"""`/api/auth`: sign in, refresh, and who am I."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from eventlens.access.tokens import InvalidToken, TokenIssuer, credential_stamp
from eventlens.api.deps import ActorDep, PlatformDep, get_tokens, unauthorized
from eventlens.api.errors import documented
from eventlens.commands.passwords import DUMMY_HASH, verify_password
from eventlens.domain.user import User

router = APIRouter(prefix="/api/auth", tags=["auth"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class UserOut(BaseModel):
    username: str
    role: str

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(username=user.username, role=user.role)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    user: UserOut


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=4096)


Tokens = Annotated[TokenIssuer, Depends(get_tokens)]


def _token_response(tokens: TokenIssuer, user: User) -> TokenResponse:
    return TokenResponse(
        access_token=tokens.issue(user.username, user.role, user.password_hash),
        refresh_token=tokens.issue(user.username, user.role, user.password_hash, "refresh"),
        expires_in=tokens.access_ttl,
        user=UserOut.of(user),
    )


@router.post(
    "/login",
    response_model=TokenResponse,
    responses={
        401: {"description": "Wrong username or password"},
        429: {"description": "Too many failed attempts"},
    },
)
async def login(
    body: LoginRequest, request: Request, platform: PlatformDep, tokens: Tokens
) -> TokenResponse:
    client = request.client.host if request.client else "unknown"
    keys = (f"user:{body.username.lower()}", f"client:{client}")
    throttle = platform.login_throttle
    wait = await throttle.reserve(*keys)
    if wait:
        raise HTTPException(
            429,
            f"too many failed sign-ins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    await platform.sync_catalog()  # a user created through another API process
    user = platform.cache.user(body.username)
    known = user is not None and not user.removed
    # Verify even for unknown users so response time does not reveal who exists. Argon2 takes
    # a fifth of a second of CPU by design: in a thread, not on the event loop that serves
    # ingest.
    password_hash = user.password_hash if known and user else DUMMY_HASH
    valid = await asyncio.to_thread(verify_password, password_hash, body.password)
    if not (known and valid) or user is None:
        raise unauthorized("wrong username or password")  # the reserved failure stands
    await throttle.succeeded(*keys)
    return _token_response(tokens, user)


@router.post(
    "/refresh",
    response_model=TokenResponse,
    responses=documented(401, 422),
)
async def refresh(body: RefreshRequest, platform: PlatformDep, tokens: Tokens) -> TokenResponse:
    try:
        claims = tokens.verify(body.refresh_token, "refresh")
    except InvalidToken as error:
        raise unauthorized(str(error)) from None
    await platform.sync_catalog()
    user = platform.cache.user(claims.username)
    if user is None or user.removed or credential_stamp(user.password_hash) != claims.credential:
        raise unauthorized("the refresh token is no longer valid; sign in again")
    return _token_response(tokens, user)


@router.get("/me", response_model=UserOut, responses=documented(401))
async def me(actor: ActorDep, platform: PlatformDep) -> UserOut:
    user = platform.cache.user(actor.username)
    assert user is not None
    return UserOut.of(user)
