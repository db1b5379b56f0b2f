"""DisableAdaptor: stop accepting events from a site. Its history stays."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.adaptor import Adaptor
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class DisableAdaptor:
    actor: Actor
    container_id: str


def disable_adaptor(command: DisableAdaptor, catalog: Catalog) -> Adaptor:
    require_admin(command.actor, "disable adaptors")
    adaptor = catalog.adaptor(command.container_id)
    adaptor.disable()
    catalog.record(adaptor, actor=command.actor.username)
    return adaptor
