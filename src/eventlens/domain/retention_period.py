"""A site's retention period: how long its tracked events are kept, and each expiry.

Kept as an aggregate of its own per site rather than as the Adaptor's events: expiries are
recorded by EventLens itself, once a day, and would otherwise contend with admins editing the
site. Periods are whole days, and an expiry removes what was received before a UTC midnight,
so each site gets at most one expiry a day.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from eventlens.domain.errors import InvalidInput

MAX_DAYS = 3650


def retention_id_for(container_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"eventlens:retention:{container_id}")


def check_days(days: object) -> int | None:
    """None keeps events forever; otherwise 1 to MAX_DAYS whole days."""
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidInput(
            f"days must be a whole number from 1 to {MAX_DAYS}, or null to keep events forever",
            field="days",
        )
    return days


def expiry_before(now: datetime, days: int) -> datetime:
    """The UTC midnight before which a `days` period no longer keeps events."""
    day = (now.astimezone(UTC) - timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class Retention(Aggregate):
    """How long a site's tracked events are kept (None: forever), and the last expiry."""

    @staticmethod
    def create_id(container_id: str, **_: Any) -> UUID:
        return retention_id_for(container_id)

    @classmethod
    def set(cls, container_id: str, days: object) -> Retention:
        return cls(container_id=container_id, days=check_days(days))

    @event("Set")
    def __init__(self, container_id: str, days: int | None) -> None:
        self.container_id = container_id
        self.days = days
        self.expired_before: datetime | None = None

    def change(self, days: object) -> None:
        checked = check_days(days)
        if checked != self.days:
            self._changed(days=checked)

    @event("Changed")
    def _changed(self, days: int | None) -> None:
        self.days = days

    def due(self, now: datetime) -> datetime | None:
        """The new expiry's bound, if the period has moved past the last one."""
        if self.days is None:
            return None
        before = expiry_before(now, self.days)
        if self.expired_before is not None and before <= self.expired_before:
            return None
        return before

    def expire(self, before: datetime, removed: int) -> None:
        """Record that events received before `before` were removed (`removed` of them from
        the event store; the read models follow this event)."""
        self._expired(container_id=self.container_id, before=before.isoformat(), removed=removed)

    @event("Expired")
    def _expired(self, container_id: str, before: str, removed: int) -> None:
        """Names its site, so a projection needs no other event to act on it."""
        self.expired_before = datetime.fromisoformat(before)
