"""CreateAlertRule: an admin sets up a rule that watches a site and tells someone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.alerts import AlertKind, AlertRule
from eventlens.domain.errors import InvalidInput
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class CreateAlertRule:
    actor: Actor
    container_id: str
    settings: Mapping[str, Any]


def create_alert_rule(command: CreateAlertRule, catalog: Catalog) -> AlertRule:
    require_admin(command.actor, "set up alerts")
    adaptor = catalog.adaptor(command.container_id)
    rule = AlertRule.create(command.container_id, command.settings, command.actor.username)
    check_goal(rule, adaptor)
    catalog.record(rule, actor=command.actor.username)
    return rule


def check_goal(rule: AlertRule, adaptor: Adaptor) -> None:
    """A conversions rule watches one of its site's goals."""
    if rule.kind != AlertKind.GOAL_CONVERSIONS:
        return
    goal = rule.settings["goal"]
    if not any(g.name == goal for g in adaptor.goals.values()):
        raise InvalidInput(
            f"goal {goal!r} is not one of the goals of {adaptor.container_id}", field="goal"
        )
