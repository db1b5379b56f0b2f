"""Signed, expiring tokens (HS256 JWTs): users' access and refresh tokens, and the read-only
tokens a shared link is exchanged for."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

import jwt

ACCESS_TTL = 3600
REFRESH_TTL = 7 * 24 * 3600
SHARED_TTL = 3600
SHARED = "shared"
ALGORITHM = "HS256"
ISSUER = "eventlens"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Claims:
    username: str
    role: str
    kind: str
    credential: str
    token_id: str = ""  # a refresh token's own id and its sign-in's (its family's)
    family_id: str = ""


@dataclass(frozen=True, slots=True)
class SharedClaims:
    """A shared link's token: it reads the stats of one site, while its link stays."""

    container_id: str
    link_id: str


def credential_stamp(password_hash: str) -> str:
    """Changes with the password, so a password change ends every earlier session."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


class TokenIssuer:
    def __init__(
        self,
        secret: str,
        access_ttl: int = ACCESS_TTL,
        refresh_ttl: int = REFRESH_TTL,
        shared_ttl: int = SHARED_TTL,
    ) -> None:
        self._secret = secret
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.shared_ttl = shared_ttl

    def issue(
        self,
        username: str,
        role: str,
        password_hash: str,
        kind: str = "access",
        *,
        token_id: str | None = None,
        family_id: str | None = None,
    ) -> str:
        now = int(time.time())
        ttl = self.access_ttl if kind == "access" else self.refresh_ttl
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "sub": username,
            "role": role,
            "typ": kind,
            "crd": credential_stamp(password_hash),
            "iat": now,
            "exp": now + ttl,
        }
        if token_id is not None:
            payload["jti"] = token_id
        if family_id is not None:
            payload["fam"] = family_id
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    def issue_shared(self, container_id: str, link_id: str) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "sub": container_id,
            "typ": SHARED,
            "lnk": link_id,
            "iat": now,
            "exp": now + self.shared_ttl,
        }
        return jwt.encode(payload, self._secret, algorithm=ALGORITHM)

    def verify_shared(self, token: str) -> SharedClaims:
        payload = self._decode(token, SHARED)
        return SharedClaims(container_id=str(payload["sub"]), link_id=str(payload.get("lnk", "")))

    @staticmethod
    def kind_of(token: str) -> str | None:
        """The kind a token claims to be, unverified: only to choose how to verify it."""
        try:
            kind = jwt.decode(token, options={"verify_signature": False}).get("typ")
        except jwt.PyJWTError:
            return None
        return kind if isinstance(kind, str) else None

    def verify(self, token: str, kind: str = "access") -> Claims:
        payload = self._decode(token, kind)
        return Claims(
            username=str(payload["sub"]),
            role=str(payload.get("role", "")),
            kind=kind,
            credential=str(payload.get("crd", "")),
            token_id=str(payload.get("jti", "")),
            family_id=str(payload.get("fam", "")),
        )

    def _decode(self, token: str, kind: str) -> dict[str, Any]:
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "typ", "iss"]},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("token has expired") from None
        except jwt.PyJWTError as error:
            raise InvalidToken(f"token is invalid: {error}") from None
        if payload.get("typ") != kind:
            raise InvalidToken(f"a {kind} token is required")
        return payload
