"""The goal-conversion and bots rules driven to a firing over the real parts: events in the
store (PostgreSQL or Kafka), projected, measured at injected instants, and told to a real
local SMTP server and webhook receiver: one message when the condition starts, one
"resolved" message when it ends, nothing in between."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.add_goal import AddGoal, add_goal
from eventlens.commands.create_alert_rule import CreateAlertRule, create_alert_rule
from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode
from tests.integration.alerting import Watched, project, visits, watching
from tests.integration.backends import Backend

pytestmark = [pytest.mark.postgres]

NOON = datetime(2026, 11, 30, 12, tzinfo=UTC)  # a Monday
CRAWLER = "Googlebot/2.1 (+http://www.google.com/bot.html)"


@pytest.fixture
def watched(backend: Backend) -> Iterator[Watched]:
    with watching(backend) as watched:
        yield watched


def rule(watched: Watched, **settings: object) -> None:
    channels = {"emails": ["ops@shop.test"], "webhook_url": watched.hook_url}
    create_alert_rule(
        CreateAlertRule(SYSTEM, watched.site, {**channels, **settings}), watched.backend.catalog
    )


def bots(site: str, at: datetime, count: int) -> list[RejectedEvent]:
    crawled = [
        replace(event, client=event.client._replace(user_agent=CRAWLER))
        for event in visits(site, at, count)
    ]
    return [RejectedEvent(event, (Reason(RejectionCode.BOT, "a bot"),)) for event in crawled]


def test_conversions_below_the_floor_fire_once_then_resolve_once(watched: Watched) -> None:
    # Given a sign-up goal watched over the last hour with a floor of 3 conversions, and
    # 5 sign-ups from 12:00, none from 13:00, and 4 from 15:00 (with page views throughout).
    add_goal(AddGoal(SYSTEM, watched.site, event_name="signup"), watched.backend.catalog)
    rule(watched, kind="goal_conversions", name="Sign-ups", goal="signup", threshold=3,
         window_minutes=60)  # fmt: skip
    site = watched.site
    project(
        watched,
        [
            visits(site, NOON, 5, "signup"),
            visits(site, NOON + timedelta(hours=3), 4, "signup"),
            *(visits(site, NOON + timedelta(hours=h), 10) for h in range(4)),
        ],
        catalog_events=2,
    )

    # When the hour before 12:59 is judged, 5 conversions are above the floor: quiet.
    [round_] = watched.evaluate(NOON + timedelta(minutes=59))
    assert round_ is not None
    assert (round_.evaluated, round_.opened) == (1, 0)
    assert watched.messages() == (0, 0)

    # When 14:30 is judged (no sign-up since 13:30), one e-mail and one webhook call tell it.
    low = NOON + timedelta(hours=2, minutes=30)
    watched.evaluate(low)
    assert watched.messages() == (1, 1)
    assert watched.inbox.messages[0]["Subject"] == "[EventLens] Alert: Sign-ups on Shop"
    assert "0 conversions of signup in the last 60 minutes (floor 3)" in (
        watched.inbox.messages[0].get_content()
    )
    hook = watched.hooks.calls[0]
    assert (hook["status"], hook["rule"]["kind"], hook["observed"]) == (
        "firing",
        "goal_conversions",
        0,
    )

    # Then, still low later on, nothing more is sent.
    watched.evaluate(low + timedelta(minutes=20))
    assert watched.messages() == (1, 1)

    # When the sign-ups are back (4 from 15:00), one "resolved" message goes by each channel.
    back = NOON + timedelta(hours=3, minutes=30)
    [resolved] = watched.evaluate(back)
    assert resolved is not None and resolved.resolved == 1
    assert watched.inbox.messages[1]["Subject"] == "[EventLens] Resolved: Sign-ups on Shop"
    assert (watched.hooks.calls[1]["status"], watched.hooks.calls[1]["observed"]) == (
        "resolved",
        4,
    )
    watched.evaluate(back + timedelta(minutes=5))
    assert watched.messages() == (2, 2)


def test_bots_above_the_threshold_fire_once_then_resolve_the_next_day(watched: Watched) -> None:
    # Given a bots rule with a threshold of 5, and a crawler that sends 2 events on Sunday
    # and 8 on Monday (while visitors browse on both days).
    rule(watched, kind="bots", name="Crawlers", threshold=5, webhook_format="slack")
    site = watched.site
    sunday = NOON - timedelta(days=1)
    project(
        watched,
        [visits(site, sunday, 3), visits(site, NOON, 3)],
        catalog_events=1,
        rejected=[*bots(site, sunday, 2), *bots(site, NOON, 8)],
    )

    # When Sunday evening is judged, 2 bot events are within the threshold: quiet.
    watched.evaluate(sunday + timedelta(hours=10))
    assert watched.messages() == (0, 0)

    # When Monday afternoon is judged, 8 bot events are too many: one message by each channel.
    afternoon = NOON + timedelta(hours=2)
    watched.evaluate(afternoon, afternoon)
    assert watched.messages() == (1, 1)
    assert watched.inbox.messages[0]["Subject"] == "[EventLens] Alert: Crawlers on Shop"
    assert "8 bot events today (UTC; threshold 5)" in watched.inbox.messages[0].get_content()
    assert watched.hooks.calls[0]["text"].startswith(":warning: Alert: Crawlers on Shop")

    # Then Monday evening stays quiet, and just after midnight (a new day, no bot yet) one
    # "resolved" message goes by each channel, and nothing after it.
    watched.evaluate(NOON + timedelta(hours=8))
    assert watched.messages() == (1, 1)
    midnight = NOON + timedelta(hours=12, minutes=1)
    watched.evaluate(midnight)
    assert watched.messages() == (2, 2)
    assert watched.inbox.messages[1]["Subject"] == "[EventLens] Resolved: Crawlers on Shop"
    assert "Resolved" in watched.hooks.calls[1]["text"]
    watched.evaluate(midnight + timedelta(hours=1))
    assert watched.messages() == (2, 2)
