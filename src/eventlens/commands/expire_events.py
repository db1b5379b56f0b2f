"""ExpireEvents: remove the tracked events each site's retention period no longer keeps.

For each site whose period has moved past its last expiry, the store removes the site's
events received before the bound (`purge`: PostgreSQL's one exception to its append-only
rule; Kafka removes by topic retention instead, so there it removes nothing here), then an
`Expired` event is recorded, by `system`, for the audit log and for the projections, which
delete the same events from the read models when they see it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from eventlens.commands.actor import SYSTEM
from eventlens.eventstore.catalog import Catalog

Purge = Callable[[str, datetime], int]  # (container id, before) -> events removed


@dataclass(frozen=True, slots=True)
class ExpireEvents:
    sites: Iterable[str]  # container ids
    now: datetime


def expire_events(command: ExpireEvents, catalog: Catalog, purge: Purge) -> dict[str, int]:
    """Per site expired in this run: the events the store removed."""
    done: dict[str, int] = {}
    for container_id in command.sites:
        retention = catalog.retention(container_id)
        before = None if retention is None else retention.due(command.now)
        if retention is None or before is None:
            continue
        removed = purge(container_id, before)
        retention.expire(before, removed)
        catalog.record(retention, actor=SYSTEM.username)
        done[container_id] = removed
    return done
