"""The evaluator's loop in a worker process: a thread with its own event loop and a small
pool of connections, evaluating at `EVENTLENS_ALERT_INTERVAL_S` (a minute by default)."""

from __future__ import annotations

import asyncio
import logging
import threading
from datetime import UTC, datetime

from eventlens.alerting.delivery import Mailer, SmtpSettings, WebhookSender
from eventlens.alerting.evaluator import AlertEvaluator
from eventlens.alerting.measures import Measures
from eventlens.alerting.reports import ReportSender
from eventlens.config import Settings
from eventlens.eventstore.catalog import Catalog
from eventlens.runtime.secrets import shared_secret
from eventlens.runtime.wiring import make_head_probe, projection_lags
from eventlens.views.web_stats.postgres import PostgresWebStats

log = logging.getLogger(__name__)


def create_alerting_tables(database_url: str) -> None:
    """The evaluator's own tables (the API reads the firings for the dashboard)."""
    AlertEvaluator.setup(database_url)
    ReportSender.setup(database_url)


class AlertLoop:
    def __init__(self, settings: Settings, database_url: str, catalog: Catalog) -> None:
        self.settings = settings
        self.database_url = database_url
        self.catalog = catalog
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="alert-evaluator", daemon=True)

    def start(self) -> None:
        create_alerting_tables(self.database_url)
        self.thread.start()

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                asyncio.run(self._loop())
            except Exception:
                log.exception("the alert evaluator failed; restarting")
                self.stop.wait(5.0)

    async def _loop(self) -> None:
        from psycopg_pool import AsyncConnectionPool

        settings = self.settings
        heads = make_head_probe(settings, self.database_url)

        async def lag() -> float:
            lags = await asyncio.to_thread(projection_lags, self.database_url, heads, self.catalog)
            return max((item.seconds_behind for item in lags), default=0.0)

        async with AsyncConnectionPool(self.database_url, min_size=1, max_size=2) as pool:
            mailer = Mailer(SmtpSettings.of(settings))
            secret = await asyncio.to_thread(shared_secret, self.database_url, settings.secret_key)
            engine = PostgresWebStats(pool)
            # Links in e-mails need the address recipients reach the dashboard at.
            public_url = settings.public_url or f"http://{settings.host}:{settings.port}"
            reports = ReportSender(engine, mailer, secret, public_url)
            evaluator = AlertEvaluator(
                self.database_url,
                Measures(engine, pool, lag),
                mailer,
                WebhookSender(settings.webhook_allowed_hosts),
                public_url,
                after=reports.send_due,
            )
            interval = max(1, settings.alert_interval_s)
            while not self.stop.is_set():
                done = await evaluator.evaluate(datetime.now(UTC))
                if done is not None and (done.opened or done.resolved or done.failed):
                    log.info("alerts: %s", done)
                await asyncio.to_thread(self.stop.wait, interval)
