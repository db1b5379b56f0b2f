"""The `alert_rules` and `email_reports` read models follow the catalog, in both store modes."""

from __future__ import annotations

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.change_alert_rule import ChangeAlertRule, change_alert_rule
from eventlens.commands.configure_email_report import ConfigureEmailReport, configure_email_report
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.create_alert_rule import CreateAlertRule, create_alert_rule
from eventlens.commands.delete_alert_rule import DeleteAlertRule, delete_alert_rule
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.unsubscribe_from_report import (
    UnsubscribeFromReport,
    unsubscribe_from_report,
)
from eventlens.projections.alert_views import AlertViews
from tests.integration.backends import Backend, drain

pytestmark = [pytest.mark.postgres]


def test_rules_and_report_settings_are_projected_with_their_changes(backend: Backend) -> None:
    catalog = backend.catalog
    register_schema(RegisterSchema(SYSTEM, "shop", None, {"page_view": {}}), catalog)
    site = create_adaptor(CreateAdaptor(SYSTEM, "Shop", "shop"), catalog).container_id
    spikes = create_alert_rule(CreateAlertRule(SYSTEM, site, {"kind": "traffic"}), catalog)
    lag = create_alert_rule(CreateAlertRule(SYSTEM, site, {"kind": "projection_lag"}), catalog)
    change_alert_rule(ChangeAlertRule(SYSTEM, spikes.id, {"name": "Spikes", "weeks": 6}), catalog)
    delete_alert_rule(DeleteAlertRule(SYSTEM, lag.id), catalog)
    recipients = ["ann@example.com", "bob@example.com"]
    configure_email_report(ConfigureEmailReport(SYSTEM, site, "monthly", recipients), catalog)
    unsubscribe_from_report(UnsubscribeFromReport(site, "bob@example.com"), catalog)
    backend.relay_catalog()

    drain(backend.worker(AlertViews(catalog)), 9)

    with psycopg.connect(backend.database_url) as conn:
        rules = conn.execute(
            "SELECT name, kind, settings->>'weeks', is_deleted FROM alert_rules ORDER BY name"
        ).fetchall()
        reports = conn.execute("SELECT container_id, period, recipients FROM email_reports")
        assert reports.fetchall() == [(site, "monthly", ["ann@example.com"])]
    assert rules == [
        ("Projection lag", "projection_lag", None, True),
        ("Spikes", "traffic", "6", False),
    ]
