"""The composition root: builds the platform's parts from `Settings` and runs them."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from eventlens.api.ingest_counters import IngestCounters
from eventlens.api.throttle import LoginThrottle, create_login_throttle_table
from eventlens.children import ChildProcess
from eventlens.commands.catalog import Catalog
from eventlens.config import Settings
from eventlens.eventstore.port import CATALOG_STREAM, EventReader, EventStore
from eventlens.eventstore.postgres_schema import (
    LOG_TABLE,
    create_event_store_schema,
    immutability_triggers,
)
from eventlens.projections.catalog_cache import CatalogCache, CatalogFollower
from eventlens.projections.catalog_views import CatalogViews
from eventlens.projections.feed import ProjectionFeed
from eventlens.projections.lag import HeadProbe, KafkaHeads, Lag, PostgresHeads, measure
from eventlens.projections.projection import Projection
from eventlens.projections.rejected_events import RejectedEvents
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.projections.worker import ProjectionWorker
from eventlens.sketch_cache import SketchCache

log = logging.getLogger(__name__)

CATALOG_TABLE = f"{Catalog.name}_events"
CONSUMER_GROUP_PREFIX = "eventlens-projection-"
LAGS_MAX_AGE = 1.0  # seconds
# The write side and the secrets: never readable by the analyst role.
PRIVATE_TABLES = (
    LOG_TABLE,
    CATALOG_TABLE,
    "eventlens_secrets",
    "eventlens_login_failures",
)


def resolve_database(settings: Settings) -> tuple[str, bool]:
    """The configured database, or the embedded server in the data directory (started unless
    it runs already); and whether this call started that server, and so must stop it."""
    if settings.database_url:
        return settings.database_url, False
    from eventlens import embedded_postgres

    server = embedded_postgres.start(settings.data_dir, settings.embedded_pg_port)
    return server.dsn, server.started


def resolve_database_url(settings: Settings) -> str:
    return resolve_database(settings)[0]


def stop_embedded_postgres(settings: Settings) -> None:
    from eventlens import embedded_postgres

    embedded_postgres.stop(settings.data_dir)


def catalog_env(database_url: str) -> dict[str, str]:
    """eventsourcing's PostgreSQL recorder is configured by environment-style settings."""
    params = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname", "postgres")),
        "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(params.get("password", "")),
        "POSTGRES_POOL_SIZE": "3",
        "POSTGRES_MAX_OVERFLOW": "5",
    }


def open_catalog(database_url: str) -> Catalog:
    create_event_store_schema(database_url)  # the shared append-only trigger function
    with psycopg.connect(database_url, autocommit=True) as conn:
        # Processes starting together (the API and its worker, several workers) would race
        # to create the catalog's tables: CREATE TABLE IF NOT EXISTS is not race-free.
        conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-catalog-setup'))")
        try:
            catalog = Catalog(env=catalog_env(database_url))
            conn.execute(immutability_triggers(CATALOG_TABLE))
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-catalog-setup'))")
    return catalog


def projections(catalog: Catalog) -> list[Projection[Any]]:
    return [CatalogViews(catalog), TrackedEvents(), RejectedEvents()]


def make_store(settings: Settings, database_url: str) -> EventStore:
    if settings.kafka_bootstrap:
        from eventlens.eventstore.kafka import KafkaEventStore

        return KafkaEventStore(
            settings.kafka_bootstrap,
            settings.kafka_partitions,
            settings.kafka_replication,
            settings.kafka_topic_prefix,
        )
    from eventlens.eventstore.postgres import PostgresEventStore

    return PostgresEventStore(database_url)


def reader_factory(
    settings: Settings,
    database_url: str,
    projection: Projection[Any],
    catalog: Catalog,
    group: str | None = None,
) -> Callable[[Callable[[], dict[str, int]]], EventReader]:
    """How a projection reads the store; `group` names its Kafka consumer group (a replay
    reads with a group of its own, beside the live workers)."""

    def make(load_positions: Callable[[], dict[str, int]]) -> EventReader:
        if CATALOG_STREAM in projection.streams and not settings.kafka_bootstrap:
            from eventlens.eventstore.postgres import (
                CatalogLogReader,
                CompositeReader,
                PostgresEventReader,
            )

            catalog_reader = CatalogLogReader(catalog.recorder, database_url, CATALOG_TABLE)
            log_streams = [s for s in projection.streams if s != CATALOG_STREAM]
            if not log_streams:
                return catalog_reader
            return CompositeReader([catalog_reader, PostgresEventReader(database_url, log_streams)])
        if settings.kafka_bootstrap:
            from eventlens.eventstore.kafka import KafkaEventReader

            return KafkaEventReader(
                settings.kafka_bootstrap,
                f"{settings.kafka_topic_prefix}{CONSUMER_GROUP_PREFIX}{group or projection.name}",
                load_positions,
                projection.streams,
                settings.kafka_topic_prefix,
            )
        from eventlens.eventstore.postgres import PostgresEventReader

        return PostgresEventReader(database_url, projection.streams)

    return make


@dataclass
class Workers:
    """Projection workers, each in a thread, restarted after a failure."""

    settings: Settings
    database_url: str
    stop: threading.Event = field(default_factory=threading.Event)
    workers: list[ProjectionWorker] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)
    catalog: Catalog | None = None

    def start(self) -> None:
        self.catalog = open_catalog(self.database_url)
        for projection in projections(self.catalog):
            worker = ProjectionWorker(
                self.database_url,
                projection,
                reader_factory(self.settings, self.database_url, projection, self.catalog),
            )
            worker.setup()
            self.workers.append(worker)
            thread = threading.Thread(
                target=self._supervise,
                args=(worker,),
                name=f"projection-{projection.name}",
                daemon=True,
            )
            self.threads.append(thread)
            thread.start()

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

    def _supervise(self, worker: ProjectionWorker) -> None:
        while not self.stop.is_set():
            try:
                worker.run(self.stop)
            except Exception:
                log.exception("projection %s failed; restarting", worker.projection.name)
                self.stop.wait(1.0)

    def close(self, timeout: float = 10.0) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout)
        if self.catalog is not None:
            self.catalog.close()


def build_catalog_cache(catalog: Catalog) -> CatalogCache:
    cache = CatalogCache(catalog)
    cache.refresh()
    return cache


def shared_secret(database_url: str, configured: str | None) -> str:
    """The token-signing key: configured, or generated once and shared through the database
    so that every API replica signs and verifies with the same key."""
    if configured:
        return configured
    import secrets

    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS eventlens_secrets "
            "(name text PRIMARY KEY, value text NOT NULL)"
        )
        conn.execute(
            "INSERT INTO eventlens_secrets VALUES ('token_key', %s) ON CONFLICT DO NOTHING",
            (secrets.token_urlsafe(48),),
        )
        row = conn.execute(
            "SELECT value FROM eventlens_secrets WHERE name = 'token_key'"
        ).fetchone()
    assert row is not None
    return str(row[0])


@dataclass(frozen=True)
class Serving:
    """How this process serves HTTP beside others of the same instance.

    The first process listens, then starts `replicas` more API processes that accept on the
    same socket (handed on as `listen_fd`); each counts ingest outcomes in its own slot of
    the shared `counters`.
    """

    listen_fd: int | None = None
    replicas: int = 0
    counters: IngestCounters = field(default_factory=IngestCounters.local)


class Platform:
    """Everything one process runs: catalog, event store, read pool and (optionally) workers."""

    SUPERVISE_INTERVAL = 1.0

    def __init__(
        self, settings: Settings, *, run_workers: bool = True, serving: Serving | None = None
    ) -> None:
        self.settings = settings
        self.run_workers = run_workers
        self.serving = serving or Serving()
        self.database_url = ""
        self.catalog: Catalog
        self.cache: CatalogCache
        self.store: EventStore
        self.pool: Any = None
        self.login_throttle: LoginThrottle
        self.children: list[ChildProcess] = []
        self.token_secret = ""
        self.heads: HeadProbe
        self.feed: ProjectionFeed
        self.sketches = SketchCache()
        self.generated_admin_password: str | None = None
        self._follower: CatalogFollower | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._started_embedded_postgres = False
        self._lags: tuple[float, list[Lag]] | None = None
        self._lags_lock = asyncio.Lock()

    async def start(self) -> None:
        from psycopg_pool import AsyncConnectionPool

        from eventlens.bootstrap import ensure_first_admin

        self.database_url, self._started_embedded_postgres = await asyncio.to_thread(
            resolve_database, self.settings
        )
        self.catalog = await asyncio.to_thread(open_catalog, self.database_url)
        self.cache = await asyncio.to_thread(build_catalog_cache, self.catalog)
        self.generated_admin_password = await asyncio.to_thread(
            ensure_first_admin,
            self.catalog,
            self.cache.users(),
            self.settings.admin_password,
            self.settings.data_dir,
        )
        await asyncio.to_thread(self.cache.refresh)
        self.token_secret = await asyncio.to_thread(
            shared_secret, self.database_url, self.settings.secret_key
        )
        self.store = make_store(self.settings, self.database_url)
        await self.store.start()
        # The read models must exist before the API queries them.
        await asyncio.to_thread(setup_read_models, self.database_url, self.catalog)
        await asyncio.to_thread(create_login_throttle_table, self.database_url)
        if self.run_workers and not self.settings.database_url:
            await asyncio.to_thread(self._grant_analyst_access)
        self.heads = make_head_probe(self.settings, self.database_url)
        self.pool = AsyncConnectionPool(
            self.database_url,
            min_size=1,
            max_size=8,
            open=False,
            configure=_configure_reads,
            # A filter no index serves scans all of event_logs: cancel it rather than let a
            # few of them hold every connection of the pool.
            kwargs={"options": f"-c statement_timeout={self.settings.query_timeout_ms}"},
        )
        await self.pool.open()
        self.login_throttle = LoginThrottle(self.pool)
        self._follower = CatalogFollower(self.cache, self.database_url, CATALOG_TABLE)
        self._follower.start()
        self.feed = ProjectionFeed(self.database_url)
        self.feed.start()
        self._start_children()

    def _start_children(self) -> None:
        """The projection workers and the other API processes, once everything they share
        (database, catalog, first admin, read models) exists."""
        env = {"EVENTLENS_DATABASE_URL": self.database_url}
        if self.run_workers:
            self.children.append(ChildProcess("projection workers", ["worker"], env))
        serving = self.serving
        for slot in range(1, serving.replicas + 1):
            assert serving.listen_fd is not None and serving.counters.fd is not None
            fds = (serving.listen_fd, serving.counters.fd)
            args = ["api", "--replica", f"{fds[0]},{fds[1]},{slot},{serving.counters.slots}"]
            self.children.append(ChildProcess(f"API process {slot}", args, env, pass_fds=fds))
        for child in self.children:
            child.start()
        if self.children:
            self._supervisor = asyncio.create_task(self._supervise(), name="supervisor")

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(self.SUPERVISE_INTERVAL)
            for child in self.children:
                child.keep_alive()

    def _grant_analyst_access(self) -> None:
        """The embedded database gets a read-only role for analysts (`eventlens dsn`)."""
        from eventlens import embedded_postgres
        from eventlens.analyst_role import ensure_analyst_role

        password = embedded_postgres.analyst_password(self.settings.data_dir)
        ensure_analyst_role(self.database_url, password, PRIVATE_TABLES)

    async def projection_lags(self) -> list[Lag]:
        """Each projection's lag, measured at most once a second however often it is asked
        for: `/ready` and `/metrics` are public, and a measurement opens connections."""
        async with self._lags_lock:
            now = time.monotonic()
            if self._lags is None or now - self._lags[0] > LAGS_MAX_AGE:
                self._lags = (now, await asyncio.to_thread(projection_lags, self))
            return self._lags[1]

    async def sync_catalog(self) -> None:
        """Read what other processes recorded in the catalog until now."""
        await asyncio.to_thread(self.cache.refresh)

    async def stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
        if self._follower is not None:
            self._follower.stop()
        await self.feed.stop()
        await asyncio.gather(*(asyncio.to_thread(child.stop) for child in self.children))
        await self.store.close()
        if self.pool is not None:
            await self.pool.close()
        self.catalog.close()
        # The embedded server stops with the process that started it, and with `eventlens up`
        # (the process that runs the workers), even when it found the server left running by
        # an earlier one that crashed. A one-shot command or an API replica that found it
        # running leaves it to them. Here, in the shutdown, not after the server returns: the
        # server re-raises SIGTERM/SIGINT once it has shut down, so nothing after it would run.
        owner = self.run_workers and not self.settings.database_url
        if self._started_embedded_postgres or owner:
            await asyncio.to_thread(stop_embedded_postgres, self.settings)


async def _configure_reads(conn: psycopg.AsyncConnection[Any]) -> None:
    """The API's queries read small rollups: starting parallel workers costs them more
    (several milliseconds) than it saves, and takes cores from ingest and projection."""
    await conn.execute("SET max_parallel_workers_per_gather = 0")
    await conn.commit()


def make_head_probe(settings: Settings, database_url: str) -> HeadProbe:
    if settings.kafka_bootstrap:
        return KafkaHeads(settings.kafka_bootstrap, settings.kafka_topic_prefix)
    return PostgresHeads(database_url, CATALOG_TABLE)


def projection_lags(platform: Platform) -> list[Lag]:
    with psycopg.connect(platform.database_url, autocommit=True) as conn:
        return [
            measure(conn, platform.heads, p.name, p.streams) for p in projections(platform.catalog)
        ]


def replay_projections(settings: Settings, names: list[str]) -> None:
    """`eventlens replay`: rebuild the named projections (all when none are named)."""
    database_url, started = resolve_database(settings)
    try:
        _replay_projections(settings, database_url, names)
    finally:
        if started:
            stop_embedded_postgres(settings)


def _replay_projections(settings: Settings, database_url: str, names: list[str]) -> None:
    from eventlens.projections.replay import ProgressReporter, replay

    catalog = open_catalog(database_url)
    try:
        available = {p.name: p for p in projections(catalog)}
        unknown = sorted(set(names) - set(available))
        if unknown:
            raise SystemExit(
                f"unknown projection(s): {', '.join(unknown)}; choose from {', '.join(available)}"
            )
        probe = make_head_probe(settings, database_url)
        for name in names or list(available):
            projection = available[name]
            replay(
                database_url,
                projection,
                reader_factory(settings, database_url, projection, catalog, f"{name}-replay"),
                lambda p=projection: probe.totals(p.streams),  # type: ignore[misc]
                ProgressReporter(),
            )
    finally:
        catalog.close()


def setup_read_models(database_url: str, catalog: Catalog) -> None:
    for projection in projections(catalog):
        ProjectionWorker(
            database_url, projection, reader_factory(Settings(), database_url, projection, catalog)
        ).setup()
