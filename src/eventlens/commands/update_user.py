"""UpdateUser: one request's changes to a user (role, password), all recorded or none."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor
from eventlens.commands.change_password import set_password
from eventlens.commands.change_role import set_role
from eventlens.domain.errors import NotFound, PermissionDenied
from eventlens.domain.user import User
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class UpdateUser:
    actor: Actor
    username: str
    role: object | None = None
    new_password: str | None = None
    current_password: str | None = None


def update_user(command: UpdateUser, catalog: Catalog) -> User:
    actor = command.actor
    # Checked before the user is looked up: a viewer learns nothing about other users, not
    # even whether they exist.
    if not actor.is_admin and actor.username.lower() != command.username.lower():
        raise PermissionDenied("viewers may only change their own user")
    user = catalog.user(command.username)
    if user.removed:
        raise NotFound(f"user {command.username!r} does not exist")
    if command.role is not None:
        set_role(actor, user, command.role)
    if command.new_password is not None:
        set_password(actor, user, command.new_password, command.current_password)
    # every change above, or none of them if one was refused
    catalog.record(user, actor=actor.username)
    return user
