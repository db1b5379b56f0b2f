"""The User aggregate: who may read and who may change the catalog."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from eventlens.domain.credentials import (
    MAX_API_KEYS,
    SHOWN_PREFIX,
    ApiKey,
    check_label,
    check_scope,
    secret_digest,
)
from eventlens.domain.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from eventlens.domain.names import check_username


class Role(StrEnum):
    ADMIN = "admin"
    VIEWER = "viewer"


def check_role(role: object) -> Role:
    try:
        return Role(str(role))
    except ValueError:
        raise InvalidInput("role must be 'admin' or 'viewer'", field="role") from None


def user_id_for(username: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"eventlens:user:{username.lower()}")


class User(Aggregate):
    """A person who signs in. Only the hashes of the password and API keys are recorded."""

    @staticmethod
    def create_id(username: str, **_: Any) -> UUID:
        return user_id_for(username)

    @classmethod
    def create(cls, username: str, password_hash: str, role: object) -> User:
        return cls(
            username=check_username(username),
            password_hash=password_hash,
            role=check_role(role).value,
        )

    @event("Created")
    def __init__(self, username: str, password_hash: str, role: str) -> None:
        self.username = username
        self.password_hash = password_hash
        self.role = role
        self.removed = False
        self.api_keys: dict[str, ApiKey] = {}

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    def change_password(self, password_hash: str) -> None:
        self._require_present()
        self._password_changed(password_hash=password_hash)

    @event("PasswordChanged")
    def _password_changed(self, password_hash: str) -> None:
        self.password_hash = password_hash

    def change_role(self, role: object) -> None:
        self._require_present()
        new_role = check_role(role).value
        if new_role != self.role:
            self._role_changed(role=new_role)

    @event("RoleChanged")
    def _role_changed(self, role: str) -> None:
        self.role = role

    def remove(self) -> None:
        self._require_present()
        self._removed()

    @event("Removed")
    def _removed(self) -> None:
        self.removed = True
        self.api_keys = {}  # a user restored later does not get them back

    def restore(self, password_hash: str, role: object) -> None:
        if not self.removed:
            raise AlreadyExists(f"user {self.username!r} already exists")
        self._restored(password_hash=password_hash, role=check_role(role).value)

    @event("Restored")
    def _restored(self, password_hash: str, role: str) -> None:
        self.password_hash = password_hash
        self.role = role
        self.removed = False

    def _require_present(self) -> None:
        if self.removed:
            raise Conflict(f"user {self.username!r} has been removed")

    def create_api_key(self, key_id: str, name: object, scope: object, secret: str) -> ApiKey:
        """Record a key by its digest; the secret itself is the caller's to hand out once."""
        self._require_present()
        if len(self.api_keys) >= MAX_API_KEYS:
            raise Conflict(f"a user may hold at most {MAX_API_KEYS} API keys; revoke one first")
        if key_id in self.api_keys:
            raise Conflict(f"API key id {key_id!r} is taken")
        self.trigger_event(
            self.ApiKeyCreated,
            key_id=key_id,
            name=check_label(name, "API key"),
            prefix=secret[:SHOWN_PREFIX],
            scope=check_scope(scope),
            digest=secret_digest(secret),
        )
        return self.api_keys[key_id]

    class ApiKeyCreated(Aggregate.Event):
        """Declared rather than decorated: applying it needs the event's own timestamp."""

        key_id: str
        name: str
        prefix: str
        scope: str
        digest: str

        def apply(self, aggregate: User) -> None:
            aggregate.api_keys[self.key_id] = ApiKey(
                self.key_id, self.name, self.prefix, self.scope, self.digest, self.timestamp
            )

    def revoke_api_key(self, key_id: str) -> ApiKey:
        self._require_present()
        key = self.api_keys.get(key_id)
        if key is None:
            raise NotFound(f"API key {key_id!r} does not exist")
        self._api_key_revoked(key_id=key_id)
        return key

    @event("ApiKeyRevoked")
    def _api_key_revoked(self, key_id: str) -> None:
        del self.api_keys[key_id]
