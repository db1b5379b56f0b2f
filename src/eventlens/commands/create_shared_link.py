"""CreateSharedLink: an admin opens a site's stats to anyone holding a link (and its
password, if one is set)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.commands.passwords import hash_password
from eventlens.domain.credentials import SharedLink
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class CreateSharedLink:
    actor: Actor
    container_id: str
    name: object = None
    password: str | None = None


@dataclass(frozen=True, slots=True)
class IssuedSharedLink:
    """The link as recorded, and its token: shown once, recorded nowhere."""

    link: SharedLink
    token: str


def create_shared_link(command: CreateSharedLink, catalog: Catalog) -> IssuedSharedLink:
    require_admin(command.actor, "share sites")
    adaptor = catalog.adaptor(command.container_id)
    password_hash = None if command.password is None else hash_password(command.password)
    token = secrets.token_urlsafe(32)
    link = adaptor.create_shared_link(secrets.token_hex(8), command.name, token, password_hash)
    catalog.record(adaptor, actor=command.actor.username)
    return IssuedSharedLink(link, token)
