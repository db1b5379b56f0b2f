"""The alert evaluator: at an instant, every enabled rule measured and judged, firings opened
and resolved, their messages queued and sent; then the e-mail reports that are due.

One evaluator runs at a time across every worker and API process: each evaluation first takes
a PostgreSQL advisory lock, and a process that does not get it skips the round. The instant is
a parameter, so a test evaluates "next Monday at 09:00" without waiting for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg import AsyncConnection

from eventlens.alerting import firings
from eventlens.alerting.delivery import DeliveryFailed, Mailer, WebhookSender
from eventlens.alerting.measures import Measures
from eventlens.domain.alert_firing import Measurement, Notice, OpenFiring, Transition, next_step
from eventlens.domain.goals import Goal
from eventlens.domain.stats_query import Site
from eventlens.views.goals import stored_goals

log = logging.getLogger(__name__)

LOCK = "eventlens-alert-evaluator"
RULES = (
    "SELECT r.rule_id, r.container_id, r.settings, a.name, a.schema_id, a.timezone "
    "FROM alert_rules r JOIN adaptors a USING (container_id) "
    "WHERE r.is_enabled AND NOT r.is_deleted AND a.is_active ORDER BY r.created_at, r.rule_id"
)


@dataclass(frozen=True)
class Round:
    """What one evaluation did (for tests and the log)."""

    evaluated: int
    opened: int
    resolved: int
    sent: int
    failed: int


class AlertEvaluator:
    def __init__(
        self,
        database_url: str,
        measures: Measures,
        mailer: Mailer,
        webhooks: WebhookSender,
        public_url: str | None = None,
        after: Callable[[AsyncConnection[Any], datetime], Awaitable[None]] | None = None,
    ) -> None:
        """`after` runs at the end of each evaluation, under the same lock (the reports)."""
        self.database_url = database_url
        self.measures = measures
        self.mailer = mailer
        self.webhooks = webhooks
        self.public_url = public_url.rstrip("/") if public_url else None
        self.after = after

    @staticmethod
    def setup(database_url: str) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-alerts-setup'))")
            conn.execute(firings.DDL)
            conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-alerts-setup'))")

    async def evaluate(self, now: datetime) -> Round | None:
        """One evaluation at `now`; None if another process holds the evaluator's lock."""
        async with await AsyncConnection.connect(self.database_url, autocommit=True) as conn:
            cursor = await conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (LOCK,))
            held = await cursor.fetchone()
            if not (held and held[0]):
                return None
            try:
                done = await self._evaluate(conn, now)
                if self.after is not None:
                    await self.after(conn, now)
                return done
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (LOCK,))

    async def _evaluate(self, conn: AsyncConnection[Any], now: datetime) -> Round:
        rules = await (await conn.execute(RULES)).fetchall()
        open_now = await firings.open_firings(conn)
        announced = await firings.last_announced(conn)
        opened = resolved = 0
        self.measures.forget()
        goals: dict[str, tuple[Goal, ...]] = {}
        for rule_id, container_id, settings, site_name, schema_id, timezone in rules:
            if container_id not in goals:
                goals[container_id] = tuple(await stored_goals(conn, container_id))
            site = Site(container_id, schema_id, timezone, goals[container_id])
            try:
                measured = await self.measures.measure(settings, site, now)
            except Exception:
                log.exception("alert rule %s (%s) could not be measured", rule_id, site_name)
                continue
            firing = open_now.pop(rule_id, None)
            if measured is None:
                continue
            step = next_step(
                measured.holds,
                None if firing is None else OpenFiring(firing.started_at, firing.announced),
                announced.get(rule_id),
                now,
                timedelta(minutes=int(settings["dedup_minutes"])),
            )
            if step is None:
                continue
            rule = {"rule_id": rule_id, "container_id": container_id, **settings}
            async with conn.transaction():
                if step.transition is Transition.OPEN:
                    firing_id = await firings.open_firing(
                        conn, rule, _firing_values(measured, now, step.announce)
                    )
                    started, opened = now, opened + 1
                else:
                    assert firing is not None
                    firing_id, started = firing.id, firing.started_at
                    await firings.resolve_firing(conn, firing_id, now)
                    resolved += 1
                if step.announce:
                    notice = self._notice(step.transition, rule, site_name, measured, started, now)
                    await firings.queue(
                        conn, firing_id, step.transition.value, _messages(rule, notice), now
                    )
        # Firings of rules deleted or disabled since: closed without a message.
        for firing in open_now.values():
            await firings.resolve_firing(conn, firing.id, now)
        sent, failed = await self.deliver(conn, now)
        return Round(len(rules), opened, resolved, sent, failed)

    def _notice(
        self,
        transition: Transition,
        rule: dict[str, Any],
        site_name: str,
        measured: Measurement,
        started_at: datetime,
        now: datetime,
    ) -> Notice:
        link = f"{self.public_url}/sites/{rule['container_id']}" if self.public_url else None
        return Notice(
            transition=transition,
            rule_id=str(rule["rule_id"]),
            rule_name=str(rule["name"]),
            kind=str(rule["kind"]),
            container_id=str(rule["container_id"]),
            site_name=site_name,
            observed=measured.observed,
            expected=measured.expected,
            direction=measured.direction,
            summary=measured.summary,
            started_at=started_at,
            resolved_at=now if transition is Transition.RESOLVE else None,
            link=link,
        )

    async def deliver(self, conn: AsyncConnection[Any], now: datetime) -> tuple[int, int]:
        """Send every pending message; each is marked sent, or failed and retried later."""
        sent = failed = 0
        for outgoing in await firings.pending(conn):
            try:
                await asyncio.to_thread(self._send, outgoing)
            except DeliveryFailed as error:
                log.warning("alert message %s not delivered: %s", outgoing.id, error)
                await firings.failed(conn, outgoing, str(error))
                failed += 1
                continue
            await firings.delivered(conn, outgoing, now)
            sent += 1
        return sent, failed

    def _send(self, outgoing: firings.Outgoing) -> None:
        if outgoing.channel == "webhook":
            self.webhooks.post(outgoing.target, outgoing.body)
            return
        from email.message import EmailMessage

        message = EmailMessage()
        message["To"] = outgoing.target
        message["Subject"] = outgoing.body["subject"]
        message.set_content(outgoing.body["text"])
        self.mailer.send(message)


def _firing_values(measured: Measurement, now: datetime, announce: bool) -> dict[str, Any]:
    return {
        "started_at": now,
        "observed": measured.observed,
        "expected": measured.expected,
        "direction": measured.direction,
        "summary": measured.summary,
        "announced": announce,
    }


def _messages(rule: dict[str, Any], notice: Notice) -> list[tuple[str, str, dict[str, Any]]]:
    messages: list[tuple[str, str, dict[str, Any]]] = []
    if rule["emails"]:
        body = {"subject": notice.subject, "text": notice.text}
        messages.append(("email", ", ".join(rule["emails"]), body))
    if rule["webhook_url"]:
        slack = rule["webhook_format"] == "slack"
        messages.append(
            ("webhook", rule["webhook_url"], notice.as_slack() if slack else notice.as_json())
        )
    return messages
