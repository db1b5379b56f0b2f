"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from eventlens.domain.errors import InvalidInput

MIN_LENGTH = 8
MAX_LENGTH = 256
_hasher = PasswordHasher()


def check_password(password: object) -> str:
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise InvalidInput(
            f"password must be {MIN_LENGTH} to {MAX_LENGTH} characters", field="password"
        )
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when a user is unknown keeps login time independent of existence.
DUMMY_HASH = _hasher.hash("eventlens-dummy-password")
