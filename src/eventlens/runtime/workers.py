"""The projection workers of one process, each in a thread and restarted after a failure, and
the catalog relay in Kafka mode (one process at a time holds it)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import psycopg

from eventlens.alerting.loop import AlertLoop
from eventlens.config import Settings
from eventlens.eventstore.catalog import Catalog, open_catalog
from eventlens.eventstore.port import CATALOG_STREAM
from eventlens.projections.worker import ProjectionWorker
from eventlens.runtime.retention import RetentionLoop
from eventlens.runtime.upgrades import needs_rebuild, rebuild_for_upgrade
from eventlens.runtime.wiring import projections, reader_factory

log = logging.getLogger(__name__)


@dataclass
class Workers:
    """Projection workers, each in a thread, restarted after a failure."""

    settings: Settings
    database_url: str
    stop: threading.Event = field(default_factory=threading.Event)
    workers: list[ProjectionWorker] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    catalog: Catalog | None = None
    alerts: AlertLoop | None = None
    retention: RetentionLoop | None = None

    def start(self) -> None:
        self.catalog = open_catalog(self.database_url)
        # Every worker process runs one; an advisory lock lets one evaluate at a time.
        self.alerts = AlertLoop(self.settings, self.database_url, self.catalog)
        for projection in projections(self.catalog, self.settings.visit_timeout):
            worker = ProjectionWorker(
                self.database_url,
                projection,
                reader_factory(self.settings, self.database_url, projection, self.catalog),
            )
            # A projection whose definition changed is rebuilt before its worker applies to it.
            upgrading = needs_rebuild(self.database_url, projection)
            if not upgrading:
                worker.setup()
            self.workers.append(worker)
            thread = threading.Thread(
                target=self._supervise,
                args=(worker, upgrading),
                name=f"projection-{projection.name}",
                daemon=True,
            )
            self.threads.append(thread)
            thread.start()

        self.alerts.start()
        self.retention = RetentionLoop(self.settings, self.database_url, self.catalog)
        self.retention.start()
        if self.settings.kafka_bootstrap:
            relay = threading.Thread(target=self._relay_catalog, name="catalog-relay", daemon=True)
            self.threads.append(relay)
            relay.start()

    def _relay_catalog(self) -> None:
        """Run the catalog relay in exactly one process: whoever holds the advisory lock."""
        from eventlens.eventstore.catalog_relay import CatalogRelay
        from eventlens.eventstore.kafka_topics import ensure_topics

        assert self.settings.kafka_bootstrap is not None
        while not self.stop.is_set():
            try:
                with psycopg.connect(self.database_url, autocommit=True) as lock_conn:
                    held = lock_conn.execute(
                        "SELECT pg_try_advisory_lock(hashtext('eventlens-catalog-relay'))"
                    ).fetchone()
                    if not (held and held[0]):
                        self.stop.wait(2.0)
                        continue
                    ensure_topics(
                        self.settings.kafka_bootstrap,
                        self.settings.kafka_partitions,
                        self.settings.kafka_replication,
                        self.settings.kafka_topic_prefix,
                    )
                    catalog = open_catalog(self.database_url)
                    relay = CatalogRelay(
                        catalog.recorder,
                        self.settings.kafka_bootstrap,
                        self.settings.kafka_topic_prefix + CATALOG_STREAM,
                        f"{self.settings.kafka_topic_prefix}eventlens-catalog-relay",
                    )
                    try:
                        relay.run(self.stop)
                    finally:
                        relay.close()
                        catalog.close()
            except Exception:
                log.exception("catalog relay failed; restarting")
                self.stop.wait(1.0)

    def _supervise(self, worker: ProjectionWorker, upgrading: bool = False) -> None:
        if upgrading:
            assert self.catalog is not None
            rebuild_for_upgrade(
                self.settings, self.database_url, worker.projection, self.catalog, self.stop
            )
        while not self.stop.is_set():
            try:
                worker.run(self.stop)
            except psycopg.OperationalError as problem:  # the database away: no traceback
                reason = str(problem).strip().splitlines()[0] if str(problem).strip() else ""
                log.warning(
                    "projection %s lost the database (%s); retrying", worker.projection.name, reason
                )
                self.stop.wait(1.0)
            except Exception:
                log.exception("projection %s failed; restarting", worker.projection.name)
                self.stop.wait(1.0)

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        if self.alerts is not None:
            self.alerts.close(timeout)
        if self.retention is not None:
            self.retention.close(timeout)
        for thread in self.threads:
            thread.join(timeout)
        if self.catalog is not None:
            self.catalog.close()
