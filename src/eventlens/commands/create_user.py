"""CreateUser: an admin adds someone who may sign in (or restores a removed user)."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.commands.passwords import hash_password
from eventlens.domain.names import check_username
from eventlens.domain.user import User, check_role, user_id_for
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class CreateUser:
    actor: Actor
    username: str
    password: str
    role: object


def create_user(command: CreateUser, catalog: Catalog) -> User:
    require_admin(command.actor, "create users")
    username = check_username(command.username)
    check_role(command.role)
    password_hash = hash_password(command.password)
    if catalog.has(user_id_for(username)):
        user = catalog.user(username)
        user.restore(password_hash, command.role)
        catalog.record(user, actor=command.actor.username)
        return user
    user = User.create(username, password_hash, command.role)
    catalog.record(user, actor=command.actor.username, creating=f"user {username!r}")
    return user
