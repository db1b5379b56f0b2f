"""`/api/auth`: sign in, refresh, sign out, and who am I."""

from __future__ import annotations

import asyncio
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from eventlens.access.tokens import Claims, InvalidToken, TokenIssuer, credential_stamp
from eventlens.api.deps import (
    ActorDep,
    CommandsDep,
    PlatformDep,
    client_address,
    get_tokens,
    too_many_attempts,
    unauthorized,
)
from eventlens.api.errors import documented
from eventlens.api.refresh_tokens import Issued, Refusal
from eventlens.api.throttle import password_keys
from eventlens.commands.passwords import DUMMY_HASH, verify_password
from eventlens.commands.record_sign_in import RecordSignIn, record_sign_in
from eventlens.commands.record_sign_out import RecordSignOut, record_sign_out
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


def _token_response(tokens: TokenIssuer, user: User, issued: Issued) -> TokenResponse:
    refresh_token = tokens.issue(
        user.username,
        user.role,
        user.password_hash,
        "refresh",
        token_id=issued.token_id,
        family_id=issued.family_id,
    )
    return TokenResponse(
        access_token=tokens.issue(user.username, user.role, user.password_hash),
        refresh_token=refresh_token,
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
    body: LoginRequest,
    request: Request,
    platform: PlatformDep,
    tokens: Tokens,
    commands: CommandsDep,
) -> TokenResponse:
    keys = password_keys(body.username, client_address(request))
    throttle = platform.login_throttle
    wait = await throttle.reserve(*keys)
    if wait:
        raise too_many_attempts(wait, "sign-ins")
    await platform.sync_catalog()  # a user created through another API process
    user = platform.cache.user(body.username)
    known = user is not None and not user.removed
    # Verify even for unknown users so response time does not reveal who exists. Argon2 takes
    # a fifth of a second of CPU by design: in a thread, not on the event loop that serves
    # ingest.
    password_hash = user.password_hash if known and user else DUMMY_HASH
    valid = await asyncio.to_thread(verify_password, password_hash, body.password)
    if not (known and valid) or user is None:
        refused = RecordSignIn(user.username if known and user else None, None)
        await run_in_threadpool(commands, record_sign_in, refused)
        raise unauthorized("wrong username or password")  # the reserved failure stands
    await throttle.succeeded(*keys)
    issued = await platform.refresh_tokens.start_family(user.username)
    signed_in = RecordSignIn(user.username, UUID(issued.family_id))
    await run_in_threadpool(commands, record_sign_in, signed_in)
    return _token_response(tokens, user, issued)


def _refresh_claims(tokens: TokenIssuer, token: str) -> Claims:
    try:
        return tokens.verify(token, "refresh")
    except InvalidToken as error:
        raise unauthorized(str(error)) from None


@router.post(
    "/refresh",
    response_model=TokenResponse,
    responses=documented(401, 422),
)
async def refresh(body: RefreshRequest, platform: PlatformDep, tokens: Tokens) -> TokenResponse:
    """A new access token and the next refresh token: the one sent is spent. Sending a spent
    one again ends every session of its sign-in."""
    claims = _refresh_claims(tokens, body.refresh_token)
    await platform.sync_catalog()
    user = platform.cache.user(claims.username)
    if user is None or user.removed or credential_stamp(user.password_hash) != claims.credential:
        raise unauthorized(Refusal.UNKNOWN.value)
    rotated = await platform.refresh_tokens.rotate(
        claims.token_id, claims.family_id, claims.username
    )
    if isinstance(rotated, Refusal):
        raise unauthorized(rotated.value)
    return _token_response(tokens, user, rotated)


@router.post("/logout", status_code=204, responses=documented(401, 422))
async def logout(
    body: RefreshRequest, platform: PlatformDep, tokens: Tokens, commands: CommandsDep
) -> Response:
    """Sign out: the refresh token's sign-in ends, so none of its refresh tokens works again.
    Access tokens already handed out stay valid until they expire (an hour at most)."""
    claims = _refresh_claims(tokens, body.refresh_token)
    await platform.refresh_tokens.end_family(claims.family_id)
    signed_out = RecordSignOut(claims.username, UUID(claims.family_id))
    await run_in_threadpool(commands, record_sign_out, signed_out)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut, responses=documented(401))
async def me(actor: ActorDep, platform: PlatformDep) -> UserOut:
    user = platform.cache.user(actor.username)
    assert user is not None
    return UserOut.of(user)
