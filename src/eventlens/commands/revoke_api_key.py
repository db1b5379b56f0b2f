"""RevokeApiKey: a user ends one of their keys; admins end anyone's."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor
from eventlens.domain.credentials import ApiKey
from eventlens.domain.errors import NotFound, PermissionDenied
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class RevokeApiKey:
    actor: Actor
    username: str
    key_id: str


def may_manage_keys_of(actor: Actor, username: str) -> None:
    """Checked before the user is looked up: a viewer learns nothing about other users."""
    if not actor.is_admin and actor.username.lower() != username.lower():
        raise PermissionDenied("only admins may manage another user's API keys")


def revoke_api_key(command: RevokeApiKey, catalog: Catalog) -> ApiKey:
    may_manage_keys_of(command.actor, command.username)
    user = catalog.user(command.username)
    if user.removed:
        raise NotFound(f"user {command.username!r} does not exist")
    key = user.revoke_api_key(command.key_id)
    catalog.record(user, actor=command.actor.username)
    return key
