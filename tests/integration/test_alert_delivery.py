"""Alerts end to end over the real parts: events appended to the store (PostgreSQL or Kafka),
projected, measured through the Stats API's engine at injected instants, and delivered to a
real local SMTP server and webhook receiver."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from eventlens.alerting.evaluator import Round
from eventlens.commands.actor import SYSTEM
from eventlens.commands.create_alert_rule import CreateAlertRule, create_alert_rule
from tests.integration.alerting import Watched, project, visits, watching
from tests.integration.backends import Backend

pytestmark = [pytest.mark.postgres]

SPIKE_HOUR = datetime(2026, 11, 30, 15, tzinfo=UTC)  # a Monday, 15:00 to 16:00
WEEK = timedelta(days=7)


@pytest.fixture
def watched(backend: Backend) -> Iterator[Watched]:
    with watching(backend) as watched:
        yield watched


def test_a_spike_sends_one_email_and_one_webhook_then_one_resolved_message_each(
    watched: Watched,
) -> None:
    rule = create_alert_rule(
        CreateAlertRule(
            SYSTEM,
            watched.site,
            {
                "kind": "traffic",
                "name": "Traffic spike",
                "direction": "spike",
                "emails": ["ops@shop.test", "owner@shop.test"],
                "webhook_url": watched.hook_url,
                "dedup_minutes": 120,
            },
        ),
        watched.backend.catalog,
    )
    usual = [visits(watched.site, SPIKE_HOUR - k * WEEK, 20 + k) for k in range(1, 5)]
    project(watched, [*usual, visits(watched.site, SPIKE_HOUR, 90)], catalog_events=1)

    # Given a quiet hour judged before the spike, nothing is sent.
    [before] = watched.evaluate(SPIKE_HOUR + timedelta(minutes=5))
    assert before == Round(evaluated=1, opened=0, resolved=0, sent=0, failed=0)

    # When two processes evaluate just after the spike's hour, one of them does, and tells.
    after = SPIKE_HOUR + timedelta(hours=1, minutes=1)
    rounds = watched.evaluate(after, after)
    assert sorted(r is None for r in rounds) == [False, True]
    assert len(watched.inbox.messages) == 1
    assert len(watched.hooks.calls) == 1
    mail, [hook] = watched.inbox.messages[0], watched.hooks.calls
    assert mail["Subject"] == "[EventLens] Alert: Traffic spike on Shop"
    assert watched.inbox.envelopes[0][1] == ["ops@shop.test", "owner@shop.test"]
    text = mail.get_content()
    assert "90 visitors Mon 15:00-16:00 (UTC), expected 22.5" in text
    assert f"https://stats.shop.test/sites/{watched.site}" in text
    assert hook["status"] == "firing"
    assert hook["rule"] == {"id": str(rule.id), "name": "Traffic spike", "kind": "traffic"}
    assert (hook["observed"], hook["expected"], hook["direction"]) == (90, 22.5, "spike")

    # Then, evaluated again within the hour (a restarted process), it stays quiet.
    watched.evaluate(after + timedelta(minutes=1), after + timedelta(minutes=30))
    assert (len(watched.inbox.messages), len(watched.hooks.calls)) == (1, 1)

    # When the next hour is ordinary again, one "resolved" message goes by each channel.
    [resolved] = watched.evaluate(after + timedelta(hours=1))
    assert resolved is not None
    assert resolved.resolved == 1
    assert [m["Subject"] for m in watched.inbox.messages[1:]] == [
        "[EventLens] Resolved: Traffic spike on Shop"
    ]
    assert [call["status"] for call in watched.hooks.calls[1:]] == ["resolved"]
    watched.evaluate(after + timedelta(hours=1, minutes=2))
    assert (len(watched.inbox.messages), len(watched.hooks.calls)) == (2, 2)

    with psycopg.connect(watched.backend.database_url) as conn:
        firings = conn.execute(
            "SELECT started_at, resolved_at, observed, direction FROM alert_firings"
        ).fetchall()
    assert firings == [(after, after + timedelta(hours=1), 90.0, "spike")]


def test_a_webhook_that_fails_is_retried_at_the_next_evaluation_and_a_slack_body_is_text(
    watched: Watched,
) -> None:
    settings = {
        "kind": "projection_lag",
        "threshold": 0,
        "webhook_url": watched.hook_url,
        "webhook_format": "slack",
    }
    create_alert_rule(CreateAlertRule(SYSTEM, watched.site, settings), watched.backend.catalog)
    project(watched, [], catalog_events=1)
    evaluator, pool = watched.evaluator()

    async def lagging() -> float:
        return 42.0

    evaluator.measures.projection_lag = lagging
    watched.hooks.status = 503

    async def twice() -> list[Round | None]:
        await pool.open()
        try:
            first = await evaluator.evaluate(SPIKE_HOUR)
            watched.hooks.status = 200
            return [first, await evaluator.evaluate(SPIKE_HOUR + timedelta(minutes=1))]
        finally:
            await pool.close()

    first, second = asyncio.run(twice())
    assert first is not None
    assert (first.opened, first.sent, first.failed) == (1, 0, 1)
    assert second is not None
    assert (second.opened, second.sent, second.failed) == (0, 1, 0)
    assert len(watched.hooks.calls) == 2  # refused once, then taken
    assert watched.hooks.calls[-1]["text"].startswith(":warning: Alert: Projection lag on Shop")
    assert "42 s behind" in watched.hooks.calls[-1]["text"]
