"""`/api/alerts/`: a site's alert rules (admins create, change and delete them; signed-in users
list them) and their firings, which the dashboard marks on the site's graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from eventlens.alerting.firings import firings_between
from eventlens.api import email_reports
from eventlens.api.deps import ActorDep, AdminDep, CommandsDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.api.goals import site_named
from eventlens.commands.actor import Actor
from eventlens.commands.change_alert_rule import ChangeAlertRule, change_alert_rule
from eventlens.commands.create_alert_rule import CreateAlertRule, create_alert_rule
from eventlens.commands.delete_alert_rule import DeleteAlertRule, delete_alert_rule
from eventlens.domain.alerts import AlertRule
from eventlens.domain.errors import InvalidInput, NotFound

rules = APIRouter(prefix="/api/alerts", tags=["alerts"])
RuleId = Annotated[UUID, Path(description="The rule's id")]
SiteId = Annotated[str, Query(max_length=300, description="The site's domain or its container id")]
MAX_SPAN = timedelta(days=400)


class RuleSettings(BaseModel):
    """Every setting; which apply depends on `kind` (docs/ALERTS.md). Left out: the default."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100, examples=["Traffic spike"])
    enabled: bool | None = None
    metric: str | None = Field(None, description="traffic: `visitors` or `pageviews`")
    direction: str | None = Field(None, description="traffic: `spike`, `drop` or `both`")
    threshold: float | None = Field(
        None,
        description="traffic: how many (scaled) MADs from the expected value; goal_conversions: "
        "the floor; rejected_events, bots: the count; projection_lag: seconds",
    )
    min_change: float | None = Field(None, description="traffic: the least absolute change")
    weeks: int | None = Field(None, description="traffic: weeks of history (3 to 12)")
    goal: str | None = Field(None, max_length=200, description="goal_conversions: a goal's name")
    window_minutes: int | None = Field(
        None, description="goal_conversions, rejected_events: the window counted"
    )
    webhook_url: str | None = Field(None, max_length=2000, examples=["https://hooks.example/x"])
    webhook_format: str | None = Field(None, description="`json` or `slack`")
    emails: list[str] | None = Field(None, max_length=20, examples=[["ops@example.com"]])
    dedup_minutes: int | None = Field(
        None, description="No new firing message within this many minutes of the last"
    )


class RuleIn(RuleSettings):
    site_id: str = Field(max_length=300, description="The site's domain or its container id")
    kind: str = Field(
        max_length=40,
        description="`traffic`, `goal_conversions`, `rejected_events`, `bots` or `projection_lag`",
    )


class RuleChange(RuleSettings):
    kind: str | None = Field(None, max_length=40)


class RuleOut(BaseModel):
    id: UUID
    site_id: str
    settings: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, rule: AlertRule, actor: Actor) -> RuleOut:
        settings = rule.settings_shown(to_admin=actor.is_admin)
        return cls(
            id=rule.id,
            site_id=rule.container_id,
            settings=settings,
            created_at=rule.created_on,
            updated_at=rule.modified_on,
        )


class FiringOut(BaseModel):
    id: int
    rule_id: UUID
    rule_name: str
    kind: str
    started_at: datetime
    resolved_at: datetime | None
    observed: float
    expected: float | None
    direction: str | None
    summary: str


def _settings(body: RuleSettings) -> dict[str, Any]:
    return body.model_dump(exclude_unset=True, exclude={"site_id"})


@rules.post(
    "/", status_code=201, response_model=RuleOut, responses=documented(401, 403, 404, 409, 422)
)
def create(body: RuleIn, actor: AdminDep, commands: CommandsDep, platform: PlatformDep) -> RuleOut:
    """Create a rule for a site: `kind` and the settings that differ from the defaults."""
    site = site_named(platform.cache, body.site_id)
    rule = commands(create_alert_rule, CreateAlertRule(actor, site.container_id, _settings(body)))
    return RuleOut.of(rule, actor)


@rules.get("/", response_model=list[RuleOut], responses=documented(401, 404, 422))
def list_rules(site_id: SiteId, actor: ActorDep, platform: PlatformDep) -> list[RuleOut]:
    """The site's rules, oldest first."""
    site = site_named(platform.cache, site_id)
    return [RuleOut.of(rule, actor) for rule in platform.cache.alert_rules(site.container_id)]


@rules.get("/firings", response_model=list[FiringOut], responses=documented(401, 404, 422))
async def firings(
    site_id: SiteId,
    actor: ActorDep,
    platform: PlatformDep,
    start: Annotated[datetime | None, Query(alias="from")] = None,
    end: Annotated[datetime | None, Query(alias="to")] = None,
) -> list[FiringOut]:
    """The site's firings that overlap [from, to] (the last 30 days by default), oldest
    first: what the dashboard marks on the site's graph."""
    site = site_named(platform.cache, site_id)
    last = _aware(end, "to") if end else datetime.now(UTC)
    first = _aware(start, "from") if start else last - timedelta(days=30)
    if first > last or last - first > MAX_SPAN:
        raise InvalidInput("from must come before to, at most 400 days before", field="from")
    async with platform.pool.connection() as conn:
        rows = await firings_between(conn, site.container_id, first, last)
    return [FiringOut(**row) for row in rows]


@rules.get("/{rule_id}", response_model=RuleOut, responses=documented(401, 404, 422))
def get_rule(rule_id: RuleId, actor: ActorDep, platform: PlatformDep) -> RuleOut:
    return RuleOut.of(_rule(platform, rule_id), actor)


@rules.patch("/{rule_id}", response_model=RuleOut, responses=documented(401, 403, 404, 409, 422))
def change(rule_id: RuleId, body: RuleChange, actor: AdminDep, commands: CommandsDep) -> RuleOut:
    """Change some settings; those left out keep their values, those sent as null take their
    defaults (a new `kind` starts from its defaults)."""
    changes = {k: v for k, v in _settings(body).items() if v is not None or k != "kind"}
    return RuleOut.of(commands(change_alert_rule, ChangeAlertRule(actor, rule_id, changes)), actor)


@rules.delete("/{rule_id}", response_model=RuleOut, responses=documented(401, 403, 404, 409))
def delete(rule_id: RuleId, actor: AdminDep, commands: CommandsDep) -> RuleOut:
    """Delete a rule: it stops being evaluated, an open firing closes without a message, and
    its past firings stay on record."""
    return RuleOut.of(commands(delete_alert_rule, DeleteAlertRule(actor, rule_id)), actor)


def _rule(platform: PlatformDep, rule_id: UUID) -> AlertRule:
    rule = platform.cache.alert_rule(rule_id)
    if rule is None:
        raise NotFound(f"alert rule {rule_id} does not exist", field="rule_id")
    return rule


def _aware(moment: datetime, field: str) -> datetime:
    if moment.tzinfo is None:
        raise InvalidInput(f"{field} must carry a UTC offset (e.g. ...Z)", field=field)
    return moment


router = APIRouter()
router.include_router(rules)
router.include_router(email_reports.router)
