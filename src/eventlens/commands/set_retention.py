"""SetRetention: how many days a site's tracked events are kept (None: forever)."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.retention_period import Retention, check_days
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class SetRetention:
    actor: Actor
    container_id: str
    days: object


def set_retention(command: SetRetention, catalog: Catalog) -> Retention:
    require_admin(command.actor, "change retention periods")
    days = check_days(command.days)
    adaptor = catalog.adaptor(command.container_id)  # NotFound for an unknown site
    retention = catalog.retention(adaptor.container_id)
    if retention is None:
        retention = Retention.set(adaptor.container_id, days)
        creating = f"the retention period of {adaptor.container_id}"
        catalog.record(retention, actor=command.actor.username, creating=creating)
    else:
        retention.change(days)
        catalog.record(retention, actor=command.actor.username)
    return retention
