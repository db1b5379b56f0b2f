"""DeleteFunnel: an admin removes a site's saved funnel."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.funnels import SavedFunnel
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class DeleteFunnel:
    actor: Actor
    container_id: str
    funnel_id: str


def delete_funnel(command: DeleteFunnel, catalog: Catalog) -> SavedFunnel:
    require_admin(command.actor, "delete funnels")
    adaptor = catalog.adaptor(command.container_id)
    funnel = adaptor.delete_funnel(command.funnel_id)
    catalog.record(adaptor, actor=command.actor.username)
    return funnel
