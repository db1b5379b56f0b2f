"""E-mail reports: which are due, their numbers from the Stats API's engine, and sending them.

Each site's report for a period is sent once: the period is recorded in `email_report_sends`
(owned by the evaluator, written under its lock) before the messages go out, so a second
process, or this one after a restart, does not send it again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import AsyncConnection

from eventlens.alerting.delivery import DeliveryFailed, Mailer
from eventlens.alerting.report_mail import report_message
from eventlens.alerting.unsubscribe import unsubscribe_token
from eventlens.domain.email_reports import Period, previous_period, report_due
from eventlens.domain.stats_query import Site, StatsQueryError, read_query
from eventlens.views.goals import stored_goals
from eventlens.views.web_stats.port import WebStatsQueries
from eventlens.views.web_stats.runner import run_query

log = logging.getLogger(__name__)

DDL = """
CREATE TABLE IF NOT EXISTS email_report_sends (
    container_id  text NOT NULL,
    period_first  date NOT NULL,
    period_last   date NOT NULL,
    sent_at       timestamptz NOT NULL,
    recipients    integer NOT NULL,
    failures      text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (container_id, period_first)
);
"""
DUE = (
    "SELECT r.container_id, r.period, r.recipients, a.name, a.schema_id, "
    "a.timezone FROM email_reports r JOIN adaptors a USING (container_id) "
    "WHERE a.is_active AND cardinality(r.recipients) > 0 ORDER BY r.container_id"
)
TOTALS = ("visitors", "visits", "pageviews", "bounce_rate", "visit_duration")
TOP = 5


@dataclass(frozen=True)
class ReportFigures:
    """What a report says about a site for a period, against the period before."""

    site_name: str
    container_id: str
    period_kind: str
    period: Period
    previous: Period
    totals: dict[str, float]
    previous_totals: dict[str, float]
    sources: list[tuple[str, float]]
    pages: list[tuple[str, float]]
    goals: list[tuple[str, float]]


class ReportSender:
    def __init__(
        self, engine: WebStatsQueries, mailer: Mailer, secret: str, public_url: str | None
    ) -> None:
        self.engine = engine
        self.mailer = mailer
        self.secret = secret
        self.public_url = public_url.rstrip("/") if public_url else None

    @staticmethod
    def setup(database_url: str) -> None:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-alerts-setup'))")
            conn.execute(DDL)
            conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-alerts-setup'))")

    async def send_due(self, conn: AsyncConnection[Any], now: datetime) -> None:
        """Send every report due at `now` (in each site's time zone)."""
        for row in await (await conn.execute(DUE)).fetchall():
            container_id, kind, recipients, name, schema_id, timezone = row
            goals = tuple(await stored_goals(conn, container_id))
            site = Site(container_id, schema_id, timezone, goals)
            today = now.astimezone(ZoneInfo(timezone)).date()
            cursor = await conn.execute(
                "SELECT period_first FROM email_report_sends WHERE container_id = %s",
                (container_id,),
            )
            sent = {r[0] for r in await cursor.fetchall()}
            due = report_due(kind, today, sent)
            if due is None:
                continue
            try:
                figures = await self.figures(site, name, kind, due, now)
            except Exception:
                log.exception("the %s report of %s could not be computed", kind, container_id)
                continue
            await conn.execute(
                "INSERT INTO email_report_sends (container_id, period_first, period_last, "
                "sent_at, recipients) VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (container_id, due.first, due.last, now, len(recipients)),
            )
            failures = await self._send(figures, recipients)
            if failures:
                await conn.execute(
                    "UPDATE email_report_sends SET failures = %s "
                    "WHERE container_id = %s AND period_first = %s",
                    (failures, container_id, due.first),
                )

    async def _send(self, figures: ReportFigures, recipients: list[str]) -> list[str]:
        failures = []
        for address in recipients:
            token = unsubscribe_token(self.secret, figures.container_id, address)
            message = report_message(figures, address, self.mailer.sender, self._link(token))
            try:
                await asyncio.to_thread(self.mailer.send, message)
            except DeliveryFailed as error:
                log.warning("report to %s not delivered: %s", address, error)
                failures.append(f"{address}: {error}"[:300])
        return failures

    def _link(self, token: str) -> str:
        path = f"/api/reports/unsubscribe?token={token}"
        return f"{self.public_url}{path}" if self.public_url else path

    async def figures(
        self, site: Site, name: str, kind: str, period: Period, now: datetime
    ) -> ReportFigures:
        previous = previous_period(kind, period)
        totals = await self._totals(site, period, now)
        before = await self._totals(site, previous, now)
        return ReportFigures(
            site_name=name,
            container_id=site.container_id,
            period_kind=kind,
            period=period,
            previous=previous,
            totals=totals,
            previous_totals=before,
            sources=await self._top(site, period, now, "visit:source"),
            pages=await self._top(site, period, now, "event:page"),
            goals=await self._top(site, period, now, "event:goal") if site.goals else [],
        )

    async def _totals(self, site: Site, period: Period, now: datetime) -> dict[str, float]:
        answer = await self._query(site, period, now, {"metrics": list(TOTALS)})
        [row] = answer["results"] or [{"metrics": [0] * len(TOTALS)}]
        return {m: float(v or 0) for m, v in zip(TOTALS, row["metrics"], strict=True)}

    async def _top(
        self, site: Site, period: Period, now: datetime, dimension: str
    ) -> list[tuple[str, float]]:
        try:
            answer = await self._query(
                site,
                period,
                now,
                {
                    "metrics": ["visitors"],
                    "dimensions": [dimension],
                    "pagination": {"limit": TOP},
                },
            )
        except StatsQueryError:
            return []  # e.g. goals, on a site that has none
        return [(str(r["dimensions"][0]), float(r["metrics"][0])) for r in answer["results"]]

    async def _query(
        self, site: Site, period: Period, now: datetime, parts: dict[str, Any]
    ) -> dict[str, Any]:
        query = read_query(
            {
                "site_id": site.container_id,
                "date_range": [_iso(period.first), _iso(period.last)],
                **parts,
            }
        )
        return await run_query(self.engine, site, query, now)


def _iso(day: date) -> str:
    return day.isoformat()
