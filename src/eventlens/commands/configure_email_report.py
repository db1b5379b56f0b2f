"""ConfigureEmailReport: an admin chooses a site's report period and its recipients."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.email_reports import EmailReport
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class ConfigureEmailReport:
    actor: Actor
    container_id: str
    period: object = None
    recipients: object = None


def configure_email_report(command: ConfigureEmailReport, catalog: Catalog) -> EmailReport:
    require_admin(command.actor, "set up e-mail reports")
    catalog.adaptor(command.container_id)  # the site must exist
    report = catalog.email_report(command.container_id)
    by = command.actor.username
    if report is None:
        period = "weekly" if command.period is None else command.period
        report = EmailReport.create(command.container_id, period, command.recipients or [], by)
        catalog.record(
            report,
            actor=command.actor.username,
            creating=f"the e-mail report of {command.container_id}",
        )
    else:
        report.configure(command.period, command.recipients, by)
        catalog.record(report, actor=command.actor.username)
    return report
