"""CreateAlertRule: an admin sets up a rule that watches a site and tells someone."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.alerts import AlertRule
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class CreateAlertRule:
    actor: Actor
    container_id: str
    settings: Mapping[str, Any]


def create_alert_rule(command: CreateAlertRule, catalog: Catalog) -> AlertRule:
    require_admin(command.actor, "set up alerts")
    catalog.adaptor(command.container_id)  # the site must exist
    rule = AlertRule.create(command.container_id, command.settings, command.actor.username)
    catalog.record(rule, actor=command.actor.username)
    return rule
