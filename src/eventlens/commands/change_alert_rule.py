"""ChangeAlertRule: an admin changes some of a rule's settings; the others stay."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventlens.commands.actor import Actor, require_admin
from eventlens.commands.create_alert_rule import check_goal
from eventlens.domain.alerts import AlertRule
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class ChangeAlertRule:
    actor: Actor
    rule_id: UUID
    changes: Mapping[str, Any]


def change_alert_rule(command: ChangeAlertRule, catalog: Catalog) -> AlertRule:
    require_admin(command.actor, "change alerts")
    rule = catalog.alert_rule(command.rule_id)
    rule.change(command.changes, command.actor.username)
    check_goal(rule, catalog.adaptor(rule.container_id))
    catalog.record(rule, actor=command.actor.username)
    return rule
