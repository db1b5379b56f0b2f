"""A site's alert rules and their firings in GraphQL, as `/api/alerts/` serves them: anyone
signed in reads them (a webhook's URL whole for admins only), admins create, change and
delete rules. The settings and what each kind measures are in docs/ALERTS.md."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types import Info

from eventlens.alerting.firings import firings_between
from eventlens.commands.actor import Actor
from eventlens.commands.change_alert_rule import ChangeAlertRule, change_alert_rule
from eventlens.commands.create_alert_rule import CreateAlertRule, create_alert_rule
from eventlens.commands.delete_alert_rule import DeleteAlertRule, delete_alert_rule
from eventlens.domain.alerts import AlertRule
from eventlens.domain.errors import InvalidInput
from eventlens.graphql.commands import run_command, site_named
from eventlens.graphql.context import actor, admin
from eventlens.runtime.platform import Platform

MAX_SPAN = timedelta(days=400)


@strawberry.type(description="An alert rule's settings; which apply depends on its kind.")
class AlertRuleSettings:
    kind: str
    name: str
    enabled: bool
    threshold: float = strawberry.field(
        description="traffic: MADs from the expected value; goal_conversions: the floor; "
        "rejected_events, bots: the count; projection_lag: seconds"
    )
    metric: str | None = strawberry.field(description="traffic: `visitors` or `pageviews`")
    direction: str | None = strawberry.field(description="traffic: `spike`, `drop` or `both`")
    min_change: float | None = strawberry.field(description="traffic: the least change")
    weeks: int | None = strawberry.field(description="traffic: weeks of history")
    goal: str | None = strawberry.field(description="goal_conversions: the goal's name")
    window_minutes: int | None = strawberry.field(
        description="goal_conversions, rejected_events: the window counted"
    )
    emails: list[str]
    webhook_url: str | None = strawberry.field(
        description="Whole for admins; others see its scheme and host only"
    )
    webhook_format: str
    dedup_minutes: int


@strawberry.type(name="AlertRule", description="A rule that watches a site and tells someone.")
class AlertRuleType:
    id: strawberry.ID
    site_id: str = strawberry.field(description="The site's container id")
    settings: AlertRuleSettings
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, rule: AlertRule, who: Actor) -> AlertRuleType:
        settings = rule.settings_shown(to_admin=who.is_admin)
        names = {f.name for f in dataclasses.fields(AlertRuleSettings)}
        shown: dict[str, Any] = {name: settings.get(name) for name in names}
        return cls(
            id=strawberry.ID(str(rule.id)),
            site_id=rule.container_id,
            settings=AlertRuleSettings(**shown),
            created_at=rule.created_on,
            updated_at=rule.modified_on,
        )


@strawberry.type(description="A rule's condition held from startedAt to resolvedAt.")
class AlertFiring:
    id: int
    rule_id: strawberry.ID
    rule_name: str
    kind: str
    started_at: datetime
    resolved_at: datetime | None
    observed: float
    expected: float | None
    direction: str | None
    summary: str


@strawberry.input(
    description="Settings of a rule (docs/ALERTS.md). Left out: kept (a new rule: the "
    "default); null: back to the default."
)
class AlertRuleSettingsInput:
    name: str | None = strawberry.UNSET
    enabled: bool | None = strawberry.UNSET
    threshold: float | None = strawberry.UNSET
    metric: str | None = strawberry.UNSET
    direction: str | None = strawberry.UNSET
    min_change: float | None = strawberry.UNSET
    weeks: int | None = strawberry.UNSET
    goal: str | None = strawberry.UNSET
    window_minutes: int | None = strawberry.UNSET
    emails: list[str] | None = strawberry.UNSET
    webhook_url: str | None = strawberry.UNSET
    webhook_format: str | None = strawberry.UNSET
    dedup_minutes: int | None = strawberry.UNSET

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if getattr(self, f.name) is not strawberry.UNSET
        }


def _id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise InvalidInput(f"id {value[:60]!r} is not an alert rule's id", field="id") from None


def _platform(info: Info) -> Platform:
    platform: Platform = info.context["platform"]
    return platform


@strawberry.type
class AlertsQuery:
    @strawberry.field(
        description="A site's alert rules (its domain or container id), oldest first."
    )
    def alert_rules(self, info: Info, site_id: str) -> list[AlertRuleType]:
        who = actor(info)
        site = site_named(info, site_id)
        rules = _platform(info).cache.alert_rules(site.container_id)
        return [AlertRuleType.of(rule, who) for rule in rules]

    @strawberry.field(
        description="A site's firings that overlap [from, to] (the last 30 days by default), "
        "oldest first: what the dashboard marks on the site's graph."
    )
    async def alert_firings(
        self,
        info: Info,
        site_id: str,
        start: Annotated[datetime | None, strawberry.argument(name="from")] = None,
        end: Annotated[datetime | None, strawberry.argument(name="to")] = None,
    ) -> list[AlertFiring]:
        actor(info)
        site = site_named(info, site_id)
        last = _aware(end, "to") if end else datetime.now(UTC)
        first = _aware(start, "from") if start else last - timedelta(days=30)
        if first > last or last - first > MAX_SPAN:
            raise InvalidInput("from must come before to, at most 400 days before", field="from")
        async with _platform(info).pool.connection() as conn:
            rows = await firings_between(conn, site.container_id, first, last)
        return [
            AlertFiring(**{**row, "rule_id": strawberry.ID(str(row["rule_id"]))}) for row in rows
        ]


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"{field} must carry a UTC offset (e.g. ...Z)", field=field)
    return moment


@strawberry.type
class AlertsMutation:
    @strawberry.mutation(description="Create a site's alert rule (admins only).")
    async def create_alert_rule(
        self,
        info: Info,
        site_id: str,
        kind: str,
        settings: AlertRuleSettingsInput | None = None,
    ) -> AlertRuleType:
        who = admin(info)
        site = site_named(info, site_id)
        given = {"kind": kind, **(settings.given() if settings else {})}
        command = CreateAlertRule(who, site.container_id, given)
        rule = await run_command(info, create_alert_rule, command)
        return AlertRuleType.of(rule, who)

    @strawberry.mutation(
        description="Change some of a rule's settings (admins only): those left out keep "
        "their values, those sent as null take their defaults (a new kind starts from its "
        "defaults)."
    )
    async def change_alert_rule(
        self,
        info: Info,
        id: strawberry.ID,
        settings: AlertRuleSettingsInput,
        kind: str | None = None,
    ) -> AlertRuleType:
        who = admin(info)
        changes = {**({"kind": kind} if kind is not None else {}), **settings.given()}
        command = ChangeAlertRule(who, _id(id), changes)
        rule = await run_command(info, change_alert_rule, command)
        return AlertRuleType.of(rule, who)

    @strawberry.mutation(
        description="Delete a rule (admins only): it stops being evaluated, an open firing "
        "closes without a message, its past firings stay on record."
    )
    async def delete_alert_rule(self, info: Info, id: strawberry.ID) -> AlertRuleType:
        who = admin(info)
        rule = await run_command(info, delete_alert_rule, DeleteAlertRule(who, _id(id)))
        return AlertRuleType.of(rule, who)
