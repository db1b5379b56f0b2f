"""What the alert tests share: a site watched by rules, real local receivers (SMTP and
webhook), events appended to the store and projected, and evaluations at injected instants."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from psycopg_pool import AsyncConnectionPool

from eventlens.alerting.delivery import Mailer, SmtpSettings, WebhookSender
from eventlens.alerting.evaluator import AlertEvaluator, Round
from eventlens.alerting.measures import Measures
from eventlens.commands.actor import SYSTEM
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.tracking import RejectedEvent, TrackedEvent
from eventlens.domain.visitors import ClientContext, PageContext
from eventlens.eventstore.port import StoreUnavailable
from eventlens.projections.alert_views import AlertViews
from eventlens.projections.catalog_views import CatalogViews
from eventlens.projections.rejected_events import RejectedEvents
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.views.web_stats.postgres import PostgresWebStats
from tests.integration.backends import Backend, StoreHandle, drain
from tests.receivers import Hooks, Inbox, smtp_server, webhook_receiver

AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def visits(
    container_id: str, at: datetime, visitors: int, event_type: str = "page_view"
) -> list[TrackedEvent]:
    """`visitors` distinct visitors each sending `event_type` within the hour from `at`."""
    return [
        TrackedEvent(
            event_id=uuid4(),
            schema_id="shop",
            event_type=event_type,
            received_at=at + timedelta(seconds=20 * n),
            container_id=container_id,
            user_id=None,
            session_id=None,
            client_timestamp=at + timedelta(seconds=20 * n),
            properties={},
            client=ClientContext(f"{at:%d%H%M}{n:010d}", AGENT, None),
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

    def messages(self) -> tuple[int, int]:
        """How many e-mails and webhook calls have arrived."""
        return len(self.inbox.messages), len(self.hooks.calls)


@contextmanager
def watching(backend: Backend) -> Iterator[Watched]:
    """A site `Shop` (schema `shop`: page views and sign-ups) and the receivers."""
    catalog = backend.catalog
    register_schema(RegisterSchema(SYSTEM, "shop", None, {"page_view": {}, "signup": {}}), catalog)
    site = create_adaptor(CreateAdaptor(SYSTEM, "Shop", "shop", ["https://shop.example"]), catalog)
    AlertEvaluator.setup(backend.database_url)
    with smtp_server() as (inbox, port), webhook_receiver() as (hooks, url):
        yield Watched(backend, site.container_id, inbox, hooks, url, port)


def _append(handle: StoreHandle, append: Callable[[], Any]) -> None:
    for attempt in range(5):
        try:
            handle.call(append)
            return
        except StoreUnavailable:
            # A busy broker may not acknowledge within the store's deadline: as the store
            # asks, the same events are sent again (recorded once by event id).
            if attempt == 4:
                raise


def project(
    watched: Watched,
    batches: Sequence[list[TrackedEvent]],
    catalog_events: int,
    rejected: Sequence[RejectedEvent] = (),
) -> None:
    """Append the events, then project the catalog (at least `catalog_events` of it, after
    the schema and the site), the alert rules, the tracked and the rejected events."""
    backend = watched.backend
    with backend.running_store() as handle:
        for batch in batches:
            _append(handle, lambda b=batch: handle.store.append_tracked(b))
        if rejected:
            _append(handle, lambda: handle.store.append_rejected(rejected))
    backend.relay_catalog()
    drain(backend.worker(CatalogViews(backend.catalog)), 2 + catalog_events)
    drain(backend.worker(AlertViews(backend.catalog)), 2 + catalog_events)
    drain(backend.worker(TrackedEvents()), sum(len(b) for b in batches))
    if rejected:
        drain(backend.worker(RejectedEvents()), len(rejected))
