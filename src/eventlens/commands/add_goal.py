"""AddGoal: an admin names what a site's visitors are meant to do (a custom event, or a
visit to matching pages), optionally with revenue in one currency."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.goals import Goal
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class AddGoal:
    actor: Actor
    container_id: str
    event_name: object = None
    page_path: object = None
    display_name: object = None
    currency: object = None


def add_goal(command: AddGoal, catalog: Catalog) -> Goal:
    require_admin(command.actor, "add goals")
    adaptor = catalog.adaptor(command.container_id)
    goal = adaptor.add_goal(
        secrets.token_hex(8),
        event_name=command.event_name,
        page_path=command.page_path,
        display_name=command.display_name,
        currency=command.currency,
    )
    catalog.record(adaptor, actor=command.actor.username)
    return goal
