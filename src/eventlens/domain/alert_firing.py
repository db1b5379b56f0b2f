"""When a rule's condition starts or stops holding, what is recorded and who is told.

A firing opens when the condition starts to hold and resolves when it stops. Its start is
announced unless the rule announced another firing less than its de-duplication window ago
(a condition that flaps tells once, not every minute); its end is announced if and only if
its start was, so every "resolved" message follows a "firing" one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Transition(StrEnum):
    OPEN = "firing"
    RESOLVE = "resolved"


@dataclass(frozen=True, slots=True)
class OpenFiring:
    started_at: datetime
    announced: bool


@dataclass(frozen=True, slots=True)
class Step:
    transition: Transition
    announce: bool


def next_step(
    holds: bool,
    open_firing: OpenFiring | None,
    last_announced_at: datetime | None,
    now: datetime,
    dedup: timedelta,
) -> Step | None:
    """What happens to a rule this evaluation; None: nothing changes."""
    if holds and open_firing is None:
        quiet = last_announced_at is not None and now - last_announced_at < dedup
        return Step(Transition.OPEN, announce=not quiet)
    if not holds and open_firing is not None:
        return Step(Transition.RESOLVE, announce=open_firing.announced)
    return None


@dataclass(frozen=True, slots=True)
class Measurement:
    """A rule's measured value this evaluation, whether its condition holds, and words for it."""

    holds: bool
    observed: float
    expected: float | None = None
    direction: str | None = None  # a traffic rule's "spike" or "drop"
    summary: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """What a notification says, whatever carries it."""

    transition: Transition
    rule_id: str
    rule_name: str
    kind: str
    container_id: str
    site_name: str
    observed: float
    expected: float | None
    direction: str | None
    summary: str
    started_at: datetime
    resolved_at: datetime | None
    link: str | None

    @property
    def subject(self) -> str:
        state = "Resolved" if self.transition is Transition.RESOLVE else "Alert"
        return f"[EventLens] {state}: {self.rule_name} on {self.site_name}"

    @property
    def text(self) -> str:
        if self.transition is Transition.RESOLVE:
            assert self.resolved_at is not None
            headline = (
                f"Resolved: {self.rule_name} on {self.site_name} no longer holds "
                f"(since {self.resolved_at:%Y-%m-%d %H:%M} UTC; it began "
                f"{self.started_at:%Y-%m-%d %H:%M} UTC)."
            )
        else:
            headline = (
                f"Alert: {self.rule_name} on {self.site_name} "
                f"(since {self.started_at:%Y-%m-%d %H:%M} UTC)."
            )
        lines = [headline, self.summary]
        if self.link:
            lines.append(f"Dashboard: {self.link}")
        return "\n".join(line for line in lines if line)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.transition.value,
            "rule": {"id": self.rule_id, "name": self.rule_name, "kind": self.kind},
            "site": {"container_id": self.container_id, "name": self.site_name},
            "observed": self.observed,
            "expected": self.expected,
            "direction": self.direction,
            "summary": self.summary,
            "started_at": self.started_at.isoformat(),
            "resolved_at": None if self.resolved_at is None else self.resolved_at.isoformat(),
            "link": self.link,
            "text": self.text,
        }

    def as_slack(self) -> dict[str, Any]:
        """Slack's incoming-webhook body (Mattermost and others take it too)."""
        emoji = ":white_check_mark:" if self.transition is Transition.RESOLVE else ":warning:"
        return {"text": f"{emoji} {self.text}"}
