"""Alert rules and e-mail report settings as catalog commands (in-memory recorder): what is
checked, who may, and what the aggregates keep."""

from __future__ import annotations

from datetime import date

import pytest

from eventlens.commands.actor import Actor
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
from eventlens.domain.alerts import AlertRule, check_rule
from eventlens.domain.email_reports import Period, last_complete_period, report_due
from eventlens.domain.errors import InvalidInput, NotFound, PermissionDenied
from eventlens.domain.user import Role
from eventlens.eventstore.catalog import Catalog

ADMIN = Actor("root", Role.ADMIN)
VIEWER = Actor("val", Role.VIEWER)


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.fixture
def site(catalog: Catalog) -> str:
    register_schema(RegisterSchema(ADMIN, "shop", None, {"page_view": {}}), catalog)
    return create_adaptor(CreateAdaptor(ADMIN, "Shop", "shop"), catalog).container_id


def test_given_a_traffic_rule_with_only_its_kind_then_it_takes_the_defaults() -> None:
    rule = check_rule({"kind": "traffic"})
    assert rule == {
        "kind": "traffic",
        "name": "Traffic",
        "enabled": True,
        "webhook_url": None,
        "webhook_format": "json",
        "emails": [],
        "dedup_minutes": 60,
        "metric": "visitors",
        "direction": "both",
        "threshold": 3.0,
        "min_change": 10.0,
        "weeks": 4,
    }


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"kind": "earthquake"}, "kind"),
        ({}, "kind"),
        ({"kind": "traffic", "weeks": 1}, "weeks"),
        ({"kind": "traffic", "threshold": "high"}, "threshold"),
        ({"kind": "traffic", "direction": "sideways"}, "direction"),
        ({"kind": "traffic", "metric": "bounce_rate"}, "metric"),
        ({"kind": "traffic", "goal": "Signup"}, "goal"),  # not a setting of its kind
        ({"kind": "goal_conversions"}, "goal"),
        ({"kind": "rejected_events", "window_minutes": 1}, "window_minutes"),
        ({"kind": "bots", "threshold": -1}, "threshold"),
        ({"kind": "projection_lag", "webhook_url": "file:///etc/passwd"}, "webhook_url"),
        ({"kind": "projection_lag", "webhook_url": "gopher://x.test/"}, "webhook_url"),
        ({"kind": "projection_lag", "webhook_url": "https://u:p@hooks.test/"}, "webhook_url"),
        ({"kind": "projection_lag", "webhook_format": "xml"}, "webhook_format"),
        ({"kind": "projection_lag", "emails": ["not an address"]}, "emails"),
        ({"kind": "projection_lag", "emails": "ops@example.com"}, "emails"),
        ({"kind": "projection_lag", "dedup_minutes": 1.5}, "dedup_minutes"),
        ({"kind": "projection_lag", "enabled": "yes"}, "enabled"),
        ({"kind": "projection_lag", "name": ""}, "name"),
    ],
)
def test_given_bad_settings_then_the_rule_is_refused_naming_the_field(
    settings: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_rule(settings)
    assert refused.value.field == field


def test_admins_create_change_and_delete_rules_and_viewers_may_not(
    catalog: Catalog, site: str
) -> None:
    with pytest.raises(PermissionDenied):
        create_alert_rule(CreateAlertRule(VIEWER, site, {"kind": "bots"}), catalog)
    rule = create_alert_rule(
        CreateAlertRule(ADMIN, site, {"kind": "bots", "threshold": 500}), catalog
    )
    assert catalog.alert_rule(rule.id).settings["threshold"] == 500

    with pytest.raises(PermissionDenied):
        change_alert_rule(ChangeAlertRule(VIEWER, rule.id, {"threshold": 1}), catalog)
    change_alert_rule(ChangeAlertRule(ADMIN, rule.id, {"emails": ["ops@example.com"]}), catalog)
    changed = catalog.alert_rule(rule.id)
    assert changed.settings["threshold"] == 500  # left out, kept
    assert changed.settings["emails"] == ["ops@example.com"]

    with pytest.raises(PermissionDenied):
        delete_alert_rule(DeleteAlertRule(VIEWER, rule.id), catalog)
    delete_alert_rule(DeleteAlertRule(ADMIN, rule.id), catalog)
    with pytest.raises(NotFound):
        catalog.alert_rule(rule.id)


def test_a_rule_for_a_site_that_does_not_exist_is_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFound, match="CAP-NOSITE"):
        create_alert_rule(CreateAlertRule(ADMIN, "CAP-NOSITE", {"kind": "bots"}), catalog)


def test_changing_a_rules_kind_starts_from_the_new_kinds_defaults(
    catalog: Catalog, site: str
) -> None:
    rule = create_alert_rule(CreateAlertRule(ADMIN, site, {"kind": "bots"}), catalog)
    change_alert_rule(ChangeAlertRule(ADMIN, rule.id, {"kind": "traffic"}), catalog)
    assert catalog.alert_rule(rule.id).settings["threshold"] == 3.0


def test_report_recipients_are_chosen_by_admins_and_leave_by_the_link(
    catalog: Catalog, site: str
) -> None:
    recipients = ["ann@example.com", "bob@example.com"]
    with pytest.raises(PermissionDenied):
        configure_email_report(ConfigureEmailReport(VIEWER, site, "weekly", recipients), catalog)
    configure_email_report(ConfigureEmailReport(ADMIN, site, "weekly", recipients), catalog)
    command = UnsubscribeFromReport(site, "BOB@example.com")
    assert unsubscribe_from_report(command, catalog) is True
    assert unsubscribe_from_report(command, catalog) is False  # a second click changes nothing
    report = catalog.email_report(site)
    assert report is not None
    assert report.recipients == ["ann@example.com"]
    with pytest.raises(InvalidInput) as refused:
        configure_email_report(ConfigureEmailReport(ADMIN, site, "daily"), catalog)
    assert refused.value.field == "period"


def test_the_last_complete_week_runs_monday_to_sunday_and_the_month_is_the_calendars() -> None:
    wednesday = date(2026, 12, 9)
    week = Period(date(2026, 11, 30), date(2026, 12, 6))
    assert last_complete_period("weekly", wednesday) == week
    assert last_complete_period("monthly", wednesday) == Period(
        date(2026, 11, 1), date(2026, 11, 30)
    )
    assert last_complete_period("monthly", date(2027, 1, 1)).label() == "December 2026"


def test_a_report_is_due_at_once_for_the_last_complete_period_then_once_per_period() -> None:
    first = report_due("weekly", date(2026, 12, 9), set())
    assert first == Period(date(2026, 11, 30), date(2026, 12, 6))
    assert report_due("weekly", date(2026, 12, 13), {first.first}) is None  # the week runs
    assert report_due("weekly", date(2026, 12, 14), {first.first}) == Period(
        date(2026, 12, 7), date(2026, 12, 13)
    )


def test_a_rules_webhook_is_shown_whole_to_admins_and_only_by_its_host_to_others() -> None:
    rule = AlertRule.create(
        "CAP-ABCDEF",
        {"kind": "bots", "webhook_url": "https://hooks.slack.com/services/T0/B0/secret"},
        by="root",
    )
    assert rule.settings_shown(to_admin=True)["webhook_url"].endswith("/secret")
    assert rule.settings_shown(to_admin=False)["webhook_url"] == "https://hooks.slack.com/…"
    assert rule.settings["webhook_url"].endswith("/secret")  # the rule itself keeps it
