"""Credentials that open stats without a password: users' API keys and sites' shared links.

Their secrets are shown once and only their digests are recorded. A digest is SHA-256 of the
secret, unkeyed: the secrets are 32 random bytes, so no guessing can find one from its
digest, and a digest recorded in the immutable catalog stays checkable for ever (a digest
keyed with the server's secret would stop matching the day that secret is rotated, and the
recorded events cannot be rewritten).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from eventlens.domain.errors import InvalidInput

API_KEY_PREFIX = "el_"
SHOWN_PREFIX = 10  # characters of a key kept to tell it apart in a list: "el_" and 7 more
MAX_LABEL = 100
MAX_API_KEYS = 50  # per user
MAX_SHARED_LINKS = 20  # per site


class Scope(StrEnum):
    STATS_READ = "stats:read"


def check_scope(scope: object) -> str:
    try:
        return Scope(str(scope)).value
    except ValueError:
        allowed = ", ".join(repr(s.value) for s in Scope)
        raise InvalidInput(f"scope must be one of {allowed}", field="scope") from None


def check_label(label: object, default: str) -> str:
    """A credential's name, as its owner tells it apart from the others."""
    if label is None:
        return default
    if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
        raise InvalidInput(
            f"name must be a non-empty string of at most {MAX_LABEL} characters", field="name"
        )
    return label.strip()


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def is_api_key(token: str) -> bool:
    return token.startswith(API_KEY_PREFIX)


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    name: str
    prefix: str
    scope: str
    digest: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SharedLink:
    id: str
    name: str
    digest: str
    password_hash: str | None  # Argon2id, as users' passwords; None: no password
    created_at: datetime

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None
