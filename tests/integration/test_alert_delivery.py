"""Alerts end to end over the real parts: events appended to the store (PostgreSQL or Kafka),
projected, measured through the Stats API's engine at injected instants, and delivered to a
real local SMTP server and webhook receiver."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg_pool import AsyncConnectionPool

from eventlens.alerting.delivery import Mailer, SmtpSettings, WebhookSender
from eventlens.alerting.evaluator import AlertEvaluator, Round
from eventlens.alerting.measures import Measures
from eventlens.commands.actor import SYSTEM
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.create_alert_rule import CreateAlertRule, create_alert_rule
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.tracking import TrackedEvent
from eventlens.domain.visitors import ClientContext, PageContext
from eventlens.eventstore.port import StoreUnavailable
from eventlens.projections.alert_views import AlertViews
from eventlens.projections.catalog_views import CatalogViews
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.views.web_stats.postgres import PostgresWebStats
from tests.integration.backends import Backend, drain
from tests.receivers import Hooks, Inbox, smtp_server, webhook_receiver

pytestmark = [pytest.mark.postgres]

AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
SPIKE_HOUR = datetime(2026, 11, 30, 15, tzinfo=UTC)  # a Monday, 15:00 to 16:00
WEEK = timedelta(days=7)


def visits(container_id: str, at: datetime, visitors: int) -> list[TrackedEvent]:
    """`visitors` distinct visitors viewing a page within the hour starting at `at`."""
    return [
        TrackedEvent(
            event_id=uuid4(),
            schema_id="shop",
            event_type="page_view",
            received_at=at + timedelta(seconds=20 * n),
            container_id=container_id,
            user_id=None,
            session_id=None,
            client_timestamp=at + timedelta(seconds=20 * n),
            properties={},
            client=ClientContext(f"{at:%d%H}{n:012d}", AGENT, None),
            page=PageContext("https://shop.example/", None, 1440),
        )
        for n in range(visitors)
    ]


@dataclass
class Watched:
    backend: Backend
    site: str
    inbox: Inbox
    hooks: Hooks
    hook_url: str
    smtp_port: int

    def evaluator(self) -> tuple[AlertEvaluator, AsyncConnectionPool[Any]]:
        """A fresh evaluator, as a restarted process has: everything it knows is in tables."""
        pool: AsyncConnectionPool[Any] = AsyncConnectionPool(
            self.backend.database_url, min_size=1, max_size=2, open=False
        )

        async def no_lag() -> float:
            return 0.0

        smtp = SmtpSettings("127.0.0.1", self.smtp_port, "none", None, None, "alerts@shop.test")
        evaluator = AlertEvaluator(
            self.backend.database_url,
            Measures(PostgresWebStats(pool), pool, no_lag),
            Mailer(smtp),
            WebhookSender("127.0.0.1"),
            "https://stats.shop.test",
        )
        return evaluator, pool

    def evaluate(self, *instants: datetime) -> list[Round | None]:
        """Evaluations at these instants, all at once (as several processes would)."""
        evaluator, pool = self.evaluator()

        async def run() -> list[Round | None]:
            await pool.open()
            try:
                return list(await asyncio.gather(*(evaluator.evaluate(t) for t in instants)))
            finally:
                await pool.close()

        return asyncio.run(run())


@pytest.fixture
def watched(backend: Backend) -> Iterator[Watched]:
    catalog = backend.catalog
    register_schema(RegisterSchema(SYSTEM, "shop", None, {"page_view": {}}), catalog)
    site = create_adaptor(CreateAdaptor(SYSTEM, "Shop", "shop", ["https://shop.example"]), catalog)
    AlertEvaluator.setup(backend.database_url)
    with smtp_server() as (inbox, port), webhook_receiver() as (hooks, url):
        yield Watched(backend, site.container_id, inbox, hooks, url, port)


def project(watched: Watched, batches: Sequence[list[TrackedEvent]], rules: int) -> None:
    backend = watched.backend
    with backend.running_store() as handle:
        for batch in batches:
            for attempt in range(5):
                try:
                    handle.append(batch)
                    break
                except StoreUnavailable:
                    # A busy broker may not acknowledge within the store's deadline: as the
                    # store asks, the same events are sent again (recorded once by event id).
                    if attempt == 4:
                        raise
    backend.relay_catalog()
    drain(backend.worker(CatalogViews(backend.catalog)), 2)
    drain(backend.worker(AlertViews(backend.catalog)), 2 + rules)
    drain(backend.worker(TrackedEvents()), sum(len(b) for b in batches))


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
    project(watched, [*usual, visits(watched.site, SPIKE_HOUR, 90)], rules=1)

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
    project(watched, [], rules=1)
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
