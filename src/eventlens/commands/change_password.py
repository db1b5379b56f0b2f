"""ChangePassword: users change their own password, giving the current one; admins reset
anyone else's."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor
from eventlens.commands.passwords import hash_password, verify_password
from eventlens.domain.errors import InvalidInput, PermissionDenied
from eventlens.domain.user import User
from eventlens.eventstore.catalog import Catalog


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
    set_password(command.actor, user, command.new_password, command.current_password)
    catalog.record(user, actor=command.actor.username)
    return user


def set_password(actor: Actor, user: User, new_password: str, current: str | None) -> None:
    """The rules of a password change, applied to a loaded user (recording is the caller's).

    Your own password needs the current one, admins included: a stolen session must not be
    enough to lock the owner out.
    """
    own = actor.username.lower() == user.username.lower()
    if not own and not actor.is_admin:
        raise PermissionDenied("only admins may change another user's password")
    if own and (current is None or not verify_password(user.password_hash, current)):
        raise InvalidInput("current password is wrong", field="current_password")
    user.change_password(hash_password(new_password))
