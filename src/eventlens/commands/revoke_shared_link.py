"""RevokeSharedLink: an admin closes a shared link; tokens already exchanged for it stop too."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.credentials import SharedLink
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class RevokeSharedLink:
    actor: Actor
    container_id: str
    link_id: str


def revoke_shared_link(command: RevokeSharedLink, catalog: Catalog) -> SharedLink:
    require_admin(command.actor, "revoke shared links")
    adaptor = catalog.adaptor(command.container_id)
    link = adaptor.revoke_shared_link(command.link_id)
    catalog.record(adaptor, actor=command.actor.username)
    return link
