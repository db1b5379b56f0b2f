"""DeleteAlertRule: an admin stops a rule; its past firings stay on record."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.alerts import AlertRule
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class DeleteAlertRule:
    actor: Actor
    rule_id: UUID


def delete_alert_rule(command: DeleteAlertRule, catalog: Catalog) -> AlertRule:
    require_admin(command.actor, "delete alerts")
    rule = catalog.alert_rule(command.rule_id)
    rule.delete(command.actor.username)
    catalog.record(rule, actor=command.actor.username)
    return rule
