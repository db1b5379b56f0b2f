"""ChangeRole: an admin makes a user an admin or a viewer."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.commands.catalog import Catalog
from eventlens.domain.errors import Conflict
from eventlens.domain.user import User


@dataclass(frozen=True, slots=True)
class ChangeRole:
    actor: Actor
    username: str
    role: object


def change_role(command: ChangeRole, catalog: Catalog) -> User:
    require_admin(command.actor, "change roles")
    if command.actor.username.lower() == command.username.lower():
        raise Conflict("admins cannot change their own role; ask another admin")
    user = catalog.user(command.username)
    user.change_role(command.role)
    catalog.record(user)
    return user
