"""RemoveUser: an admin revokes someone's access. The user's history stays."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.errors import Conflict
from eventlens.domain.user import User
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class RemoveUser:
    actor: Actor
    username: str


def remove_user(command: RemoveUser, catalog: Catalog) -> User:
    require_admin(command.actor, "remove users")
    if command.actor.username.lower() == command.username.lower():
        raise Conflict("admins cannot remove themselves")
    user = catalog.user(command.username)
    user.remove()
    catalog.record(user, actor=command.actor.username)
    return user
