"""The retention loop in a worker process: every `EVENTLENS_RETENTION_INTERVAL_S` (an hour by
default) it expires what each site's retention period no longer keeps. Every worker process
runs one; an advisory lock lets one expire at a time."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import psycopg

from eventlens.commands.expire_events import ExpireEvents, Purge, expire_events
from eventlens.config import Settings
from eventlens.eventstore.catalog import Catalog

log = logging.getLogger(__name__)
LOCK = "SELECT pg_try_advisory_lock(hashtext('eventlens-retention'))"
UNLOCK = "SELECT pg_advisory_unlock(hashtext('eventlens-retention'))"


def apply_retention(
    settings: Settings, database_url: str, catalog: Catalog, now: datetime
) -> dict[str, int] | None:
    """One run; None when another process holds the lock."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        locked = conn.execute(LOCK).fetchone()
        if not locked or not locked[0]:
            return None
        try:
            sites = [row[0] for row in conn.execute("SELECT container_id FROM adaptors")]
            done = expire_events(ExpireEvents(sites, now), catalog, _purge(settings, database_url))
            if settings.kafka_bootstrap:
                _set_topic_retention(settings, catalog, sites)
            return done
        finally:
            conn.execute(UNLOCK)


def _purge(settings: Settings, database_url: str) -> Purge:
    if settings.kafka_bootstrap:
        return lambda container_id, before: 0  # topic retention removes them from Kafka
    from eventlens.eventstore.postgres_schema import expire_events as expire_in_log

    return lambda container_id, before: expire_in_log(database_url, container_id, before)


def _set_topic_retention(settings: Settings, catalog: Catalog, sites: list[str]) -> None:
    from eventlens.eventstore.kafka_retention import set_topic_retention, topic_retention_ms

    assert settings.kafka_bootstrap is not None
    periods = []
    for container_id in sites:
        retention = catalog.retention(container_id)
        periods.append(None if retention is None else retention.days)
    ms = topic_retention_ms(periods)
    set_topic_retention(settings.kafka_bootstrap, settings.kafka_topic_prefix, ms)


class RetentionLoop:
    def __init__(self, settings: Settings, database_url: str, catalog: Catalog) -> None:
        self.settings = settings
        self.database_url = database_url
        self.catalog = catalog
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="retention", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        interval = max(1, self.settings.retention_interval_s)
        while not self.stop.is_set():
            try:
                done = apply_retention(
                    self.settings, self.database_url, self.catalog, datetime.now(UTC)
                )
                if done:
                    log.info("retention: events removed from the store, by site: %s", done)
            except Exception:
                log.exception("applying retention periods failed; trying again later")
            self.stop.wait(interval)
