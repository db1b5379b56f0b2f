"""SaveFunnel: an admin keeps a funnel (goal names in order, a window, and optionally the visit
dimension it is broken down by) for a site."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.funnels import SavedFunnel
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class SaveFunnel:
    actor: Actor
    container_id: str
    name: object
    steps: object
    within: object = "visit"
    breakdown: object = None


def save_funnel(command: SaveFunnel, catalog: Catalog) -> SavedFunnel:
    require_admin(command.actor, "save funnels")
    adaptor = catalog.adaptor(command.container_id)
    funnel = adaptor.save_funnel(
        secrets.token_hex(8), command.name, command.steps, command.within, command.breakdown
    )
    catalog.record(adaptor, actor=command.actor.username)
    return funnel
