"""Alert rules: what to watch on a site, when it fires, and whom to tell.

A rule is an aggregate of its own (one per rule, with its site's container id), so rules
change and are deleted independently of each other and of the site. Its settings are one
checked mapping: which keys it holds depends on its kind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import urlsplit

from eventsourcing.domain import Aggregate, event

from eventlens.domain.adaptor import check_container_id
from eventlens.domain.baseline import MIN_HISTORY, Direction
from eventlens.domain.errors import Conflict, InvalidInput

MAX_NAME = 100
MAX_EMAILS = 20
MAX_WEEKS = 12
MAX_WINDOW_MINUTES = 7 * 24 * 60
MAX_RULES_PER_SITE = 50
EMAIL = re.compile(r"[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"']+")


class AlertKind(StrEnum):
    TRAFFIC = "traffic"  # a spike or drop of an hour's traffic against its seasonal baseline
    GOAL_CONVERSIONS = "goal_conversions"  # a goal's conversions in a window below a floor
    REJECTED_EVENTS = "rejected_events"  # events rejected in a window above a threshold
    BOTS = "bots"  # bot events of the current day (UTC) above a threshold
    PROJECTION_LAG = "projection_lag"  # the slowest projection behind by more than N seconds


class WebhookFormat(StrEnum):
    JSON = "json"
    SLACK = "slack"  # {"text": ...}: Slack's incoming webhooks, and Mattermost's, take it


DEFAULTS: dict[AlertKind, dict[str, Any]] = {
    AlertKind.TRAFFIC: {
        "metric": "visitors",
        "direction": Direction.BOTH.value,
        "threshold": 3.0,
        "min_change": 10.0,
        "weeks": 4,
    },
    AlertKind.GOAL_CONVERSIONS: {"goal": None, "threshold": 1.0, "window_minutes": 24 * 60},
    AlertKind.REJECTED_EVENTS: {"threshold": 100.0, "window_minutes": 60},
    AlertKind.BOTS: {"threshold": 1000.0},
    AlertKind.PROJECTION_LAG: {"threshold": 60.0},
}
COMMON: dict[str, Any] = {
    "name": None,
    "enabled": True,
    "webhook_url": None,
    "webhook_format": WebhookFormat.JSON.value,
    "emails": [],
    "dedup_minutes": 60,
}
METRICS = ("visitors", "pageviews")
E = TypeVar("E", bound=StrEnum)


def check_rule(raw: Mapping[str, Any]) -> dict[str, Any]:
    """A rule's complete settings from what was asked (unknown keys are refused, missing ones
    take their kind's default), or InvalidInput naming the field."""
    kind = _choice(raw.get("kind"), AlertKind, "kind")
    allowed = {"kind", *COMMON, *DEFAULTS[kind]}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise InvalidInput(
            f"{unknown[0]!r} is not a setting of a {kind.value} rule (it takes "
            f"{', '.join(sorted(allowed))})",
            field=unknown[0],
        )
    merged = {**COMMON, **DEFAULTS[kind], **{k: v for k, v in raw.items() if v is not None}}
    rule: dict[str, Any] = {
        "kind": kind.value,
        "name": _name(merged["name"], kind),
        "enabled": _bool(merged["enabled"], "enabled"),
        "webhook_url": check_webhook_url(merged["webhook_url"]),
        "webhook_format": _choice(merged["webhook_format"], WebhookFormat, "webhook_format").value,
        "emails": check_emails(merged["emails"], "emails"),
        "dedup_minutes": _number(merged["dedup_minutes"], "dedup_minutes", 0, MAX_WINDOW_MINUTES),
    }
    if kind is AlertKind.TRAFFIC:
        if merged["metric"] not in METRICS:
            raise InvalidInput(f"metric must be one of {', '.join(METRICS)}", field="metric")
        rule["metric"] = merged["metric"]
        rule["direction"] = _choice(merged["direction"], Direction, "direction").value
        rule["threshold"] = float(_number(merged["threshold"], "threshold", 0.5, 100, whole=False))
        rule["min_change"] = float(_number(merged["min_change"], "min_change", 0, 1e9, whole=False))
        rule["weeks"] = _number(merged["weeks"], "weeks", MIN_HISTORY, MAX_WEEKS)
        return rule
    if kind is AlertKind.GOAL_CONVERSIONS:
        goal = merged["goal"]
        if not isinstance(goal, str) or not goal.strip() or len(goal) > 200:
            raise InvalidInput("goal must name one of the site's goals", field="goal")
        rule["goal"] = goal.strip()
    rule["threshold"] = float(_number(merged["threshold"], "threshold", 0, 1e12, whole=False))
    if "window_minutes" in DEFAULTS[kind]:
        rule["window_minutes"] = _number(
            merged["window_minutes"], "window_minutes", 5, MAX_WINDOW_MINUTES
        )
    return rule


def check_webhook_url(url: object) -> str | None:
    """Only http(s) URLs with a host: never file:, gopher: or the like. Which hosts may be
    reached is the sender's decision (an allow-list setting), made when it sends."""
    if url is None or url == "":
        return None
    if not isinstance(url, str) or len(url) > 2000:
        raise InvalidInput("webhook_url must be an http(s) URL", field="webhook_url")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"webhook_url must be an http(s) URL with a host, not {url[:100]!r}",
            field="webhook_url",
        )
    if parts.username or parts.password:
        raise InvalidInput("webhook_url must not carry a user or password", field="webhook_url")
    return url.strip()


def check_emails(emails: object, field: str) -> list[str]:
    if emails is None:
        return []
    if not isinstance(emails, list) or len(emails) > MAX_EMAILS:
        raise InvalidInput(f"{field} must be a list of at most {MAX_EMAILS} addresses", field=field)
    checked: list[str] = []
    for address in emails:
        if not isinstance(address, str) or len(address) > 254 or not EMAIL.fullmatch(address):
            raise InvalidInput(f"{str(address)[:100]!r} is not an e-mail address", field=field)
        if address.lower() not in (a.lower() for a in checked):
            checked.append(address)
    return checked


def _name(name: object, kind: AlertKind) -> str:
    if name is None:
        return kind.value.replace("_", " ").capitalize()
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise InvalidInput(
            f"name must be a non-empty string of at most {MAX_NAME} characters", field="name"
        )
    return name.strip()


def _bool(value: object, field: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(f"{field} must be true or false", field=field)
    return value


def _choice(value: object, kind: type[E], field: str) -> E:
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(v.value) for v in kind)
        raise InvalidInput(f"{field} must be one of {allowed}", field=field) from None


def _number(value: object, field: str, low: float, high: float, *, whole: bool = True) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{field} must be a number", field=field)
    if whole and value != int(value):
        raise InvalidInput(f"{field} must be a whole number", field=field)
    if not low <= value <= high:
        raise InvalidInput(f"{field} must be between {low:g} and {high:g}", field=field)
    return int(value) if whole else value


class AlertRule(Aggregate):
    """One rule of one site. `by` on each event is the user who made the change."""

    def settings_shown(self, to_admin: bool) -> dict[str, Any]:
        """Its settings as a reader may see them: a webhook's URL is often its only secret
        (Slack's are), so only admins see it whole; others see where it goes."""
        settings = dict(self.settings)
        if not to_admin and settings.get("webhook_url"):
            parts = urlsplit(settings["webhook_url"])
            settings["webhook_url"] = f"{parts.scheme}://{parts.hostname}/…"
        return settings

    @classmethod
    def create(cls, container_id: str, settings: Mapping[str, Any], by: str) -> AlertRule:
        return cls(
            container_id=check_container_id(container_id), settings=check_rule(settings), by=by
        )

    @event("Created")
    def __init__(self, container_id: str, settings: dict[str, Any], by: str) -> None:
        self.container_id = container_id
        self.settings = settings
        self.deleted = False

    def change(self, changes: Mapping[str, Any], by: str) -> None:
        """Settings left out keep their value; a kind changed takes the new kind's defaults."""
        self._require_present()
        kept = {} if changes.get("kind", self.kind) != self.kind else self.settings
        settings = check_rule({**kept, **changes})
        if settings != self.settings:
            self._changed(settings=settings, by=by)

    @event("Changed")
    def _changed(self, settings: dict[str, Any], by: str) -> None:
        self.settings = settings

    def delete(self, by: str) -> None:
        self._require_present()
        self._deleted(by=by)

    @event("Deleted")
    def _deleted(self, by: str) -> None:
        self.deleted = True

    def _require_present(self) -> None:
        if self.deleted:
            raise Conflict("this alert rule has been deleted")

    @property
    def kind(self) -> str:
        return str(self.settings["kind"])
