"""RemoveGoal: an admin removes a site's goal. The events that reached it stay recorded;
only the goal's conversions stop being counted."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.goals import Goal
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class RemoveGoal:
    actor: Actor
    container_id: str
    goal_id: str


def remove_goal(command: RemoveGoal, catalog: Catalog) -> Goal:
    require_admin(command.actor, "remove goals")
    adaptor = catalog.adaptor(command.container_id)
    goal = adaptor.remove_goal(command.goal_id)
    catalog.record(adaptor, actor=command.actor.username)
    return goal
