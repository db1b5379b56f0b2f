"""E-mail reports: a site's weekly or monthly summary, to recipients chosen by its admins.

One aggregate per site. A recipient who follows a report's unsubscribe link leaves the list
through an event of its own, so the history says who removed an address: an admin, or its
owner through the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from eventlens.domain.adaptor import check_container_id
from eventlens.domain.alerts import check_emails
from eventlens.domain.errors import InvalidInput


class ReportPeriod(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


def email_report_id_for(container_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"eventlens:email-report:{container_id}")


def check_period(period: object) -> str:
    try:
        return ReportPeriod(str(period)).value
    except ValueError:
        raise InvalidInput("period must be 'weekly' or 'monthly'", field="period") from None


class EmailReport(Aggregate):
    @staticmethod
    def create_id(container_id: str, **_: object) -> UUID:
        return email_report_id_for(container_id)

    @classmethod
    def create(cls, container_id: str, period: object, recipients: object, by: str) -> EmailReport:
        return cls(
            container_id=check_container_id(container_id),
            period=check_period(period),
            recipients=check_emails(recipients, "recipients"),
            by=by,
        )

    @event("Configured")
    def __init__(self, container_id: str, period: str, recipients: list[str], by: str) -> None:
        self.container_id = container_id
        self.period = period
        self.recipients = recipients

    def configure(self, period: object, recipients: object, by: str) -> None:
        period = self.period if period is None else check_period(period)
        if recipients is None:
            recipients = self.recipients
        else:
            recipients = check_emails(recipients, "recipients")
        if (period, recipients) != (self.period, self.recipients):
            self._reconfigured(period=period, recipients=recipients, by=by)

    @event("Reconfigured")
    def _reconfigured(self, period: str, recipients: list[str], by: str) -> None:
        self.period = period
        self.recipients = recipients

    def unsubscribe(self, address: str) -> bool:
        """Remove an address at its owner's request; False if it was not on the list."""
        if address.lower() not in (r.lower() for r in self.recipients):
            return False
        self._unsubscribed(address=address)
        return True

    @event("Unsubscribed")
    def _unsubscribed(self, address: str) -> None:
        self.recipients = [r for r in self.recipients if r.lower() != address.lower()]


@dataclass(frozen=True, slots=True)
class Period:
    """[first, last] days, both included, in the site's time zone."""

    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        if self.first.day == 1 and (self.last + timedelta(days=1)).day == 1:
            return self.first.strftime("%B %Y")
        first, last = self.first, self.last
        return f"{first.day} {first:%b} to {last.day} {last:%b %Y}"


def last_complete_period(period: str, today: date) -> Period:
    """The last whole period before `today`: last week (Monday to Sunday) or last month."""
    if period == ReportPeriod.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    first_of_month = today.replace(day=1)
    last = first_of_month - timedelta(days=1)
    return Period(last.replace(day=1), last)


def previous_period(period: str, current: Period) -> Period:
    """The period just before `current`, to compare with."""
    return last_complete_period(period, current.first)


def report_due(period: str, today: date, sent: set[date]) -> Period | None:
    """The period whose report is due today: the last complete one, unless it was sent. A
    new report's first message comes at once, for the last complete period: what the
    recipients will get, without waiting up to a month to see it."""
    due = last_complete_period(period, today)
    return None if due.first in sent else due
