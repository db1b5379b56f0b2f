"""The actor a bearer token stands for, checked against the catalog as it is now."""

from __future__ import annotations

from typing import Protocol

from eventlens.access.tokens import SHARED, InvalidToken, TokenIssuer, credential_stamp
from eventlens.commands.actor import Actor
from eventlens.domain.credentials import is_api_key
from eventlens.domain.user import Role, User

AUTHENTICATION_REQUIRED = "authentication required: send 'Authorization: Bearer <token>'"
STATS_ONLY = "{} only reads stats; sign in for anything else"


class Unauthenticated(Exception):
    """No valid token: REST answers 401, GraphQL an error with extensions.status 401."""


class UserLookup(Protocol):
    def user(self, username: str) -> User | None: ...


def actor_from_token(users: UserLookup, tokens: TokenIssuer, token: str | None) -> Actor:
    if token is None:
        raise Unauthenticated(AUTHENTICATION_REQUIRED)
    if is_api_key(token):
        raise Unauthenticated(STATS_ONLY.format("an API key"))
    try:
        claims = tokens.verify(token)
    except InvalidToken as error:
        if TokenIssuer.kind_of(token) == SHARED:
            raise Unauthenticated(STATS_ONLY.format("a shared link's token")) from None
        raise Unauthenticated(str(error)) from None
    user = users.user(claims.username)
    if user is None or user.removed:
        raise Unauthenticated("the token's user no longer exists")
    if credential_stamp(user.password_hash) != claims.credential:
        raise Unauthenticated("the password changed since this token was issued; sign in again")
    return Actor(username=user.username, role=Role(user.role))
