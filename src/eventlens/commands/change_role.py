"""ChangeRole: an admin makes a user an admin or a viewer."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.errors import Conflict
from eventlens.domain.user import User
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class ChangeRole:
    actor: Actor
    username: str
    role: object


def change_role(command: ChangeRole, catalog: Catalog) -> User:
    _may_change_role(command.actor, command.username)
    user = catalog.user(command.username)
    user.change_role(command.role)
    catalog.record(user, actor=command.actor.username)
    return user


def set_role(actor: Actor, user: User, role: object) -> None:
    """The rules of a role change, applied to a loaded user (recording is the caller's)."""
    _may_change_role(actor, user.username)
    user.change_role(role)


def _may_change_role(actor: Actor, username: str) -> None:
    require_admin(actor, "change roles")
    if actor.username.lower() == username.lower():
        raise Conflict("admins cannot change their own role; ask another admin")
