"""ChangePassword: users change their own password; admins reset anyone's."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor
from eventlens.commands.catalog import Catalog
from eventlens.commands.passwords import hash_password, verify_password
from eventlens.domain.errors import InvalidInput, PermissionDenied
from eventlens.domain.user import User


@dataclass(frozen=True, slots=True)
class ChangePassword:
    actor: Actor
    username: str
    new_password: str
    current_password: str | None = None


def change_password(command: ChangePassword, catalog: Catalog) -> User:
    own = command.actor.username.lower() == command.username.lower()
    if not own and not command.actor.is_admin:
        raise PermissionDenied("only admins may change another user's password")
    user = catalog.user(command.username)
    if (
        own
        and not command.actor.is_admin
        and (
            command.current_password is None
            or not verify_password(user.password_hash, command.current_password)
        )
    ):
        raise InvalidInput("current password is wrong", field="current_password")
    user.change_password(hash_password(command.new_password))
    catalog.record(user)
    return user
