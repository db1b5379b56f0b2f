"""Everything one API process runs: catalog, event store, read pool and its child processes."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

import psycopg

from eventlens.access.tokens import REFRESH_TTL
from eventlens.alerting.loop import create_alerting_tables
from eventlens.api.refresh_tokens import RefreshTokens, create_refresh_token_table
from eventlens.api.throttle import LoginThrottle, create_login_throttle_table
from eventlens.children import ChildProcess
from eventlens.config import Settings
from eventlens.eventstore.catalog import CATALOG_TABLE, Catalog, open_catalog
from eventlens.eventstore.port import EventStore
from eventlens.eventstore.sealing import SealingStore
from eventlens.eventstore.subject_keys import SubjectKeys, open_subject_keys
from eventlens.projections.catalog_cache import CatalogCache, CatalogFollower
from eventlens.projections.feed import ProjectionFeed
from eventlens.projections.lag import Applied, HeadProbe, Lag
from eventlens.runtime.analyst_watch import AnalystWatch
from eventlens.runtime.database import configure_reads, resolve_database, stop_embedded_postgres
from eventlens.runtime.embedded_watch import EmbeddedPostgresWatch
from eventlens.runtime.secrets import shared_secret
from eventlens.runtime.visitors import DailySalts, GeoDatabase, Visitors
from eventlens.runtime.wiring import (
    PRIVATE_TABLES,
    Streams,
    lags_since,
    make_head_probe,
    make_store,
    projections_applied,
    setup_read_models,
)
from eventlens.views.sketch_cache import UniqueSketches

LAGS_MAX_AGE = 1.0  # seconds
POOL_TIMEOUT = 5.0  # seconds a read waits for a connection of the pool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Serving:
    """How this process serves HTTP beside others of the same instance.

    The first process listens, then starts `replicas` more API processes that accept on the
    same socket (handed on as `listen_fd`).
    """

    listen_fd: int | None = None
    replicas: int = 0


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
        self.keys: SubjectKeys
        self.pool: Any = None
        self.login_throttle: LoginThrottle
        self.refresh_tokens: RefreshTokens
        self.children: list[ChildProcess] = []
        self.token_secret = ""
        self.heads: HeadProbe
        self.feed: ProjectionFeed
        self.sketches = UniqueSketches()
        self.generated_admin_password: str | None = None
        self.visitors: Visitors
        self.geo_problem: str | None = None  # why places are not recorded, if they are not
        self._follower: CatalogFollower | None = None
        self._analyst_watch: AnalystWatch | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._postgres_watch: EmbeddedPostgresWatch | None = None
        self._started_embedded_postgres = False
        self._lags: tuple[float, list[Lag]] | None = None
        # Where the projections had got to when the database last answered (for the lag
        # while it is away), and why it does not answer, if it does not.
        self._applied: list[tuple[Applied, Streams]] | None = None
        self.database_problem: str | None = None
        self._lags_lock = asyncio.Lock()

    async def start(self) -> None:
        from psycopg_pool import AsyncConnectionPool

        from eventlens.bootstrap import ensure_first_admin

        if self.run_workers and not self.settings.database_url:  # `eventlens up` owns it
            log.info("starting the embedded PostgreSQL in %s", self.settings.data_dir)
        self.database_url, self._started_embedded_postgres = await asyncio.to_thread(
            resolve_database, self.settings
        )
        self.catalog = await asyncio.to_thread(open_catalog, self.database_url)
        self.cache = CatalogCache(self.catalog)
        await asyncio.to_thread(self.cache.refresh)
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
        self.keys = await asyncio.to_thread(
            partial(
                open_subject_keys,
                self.database_url,
                durable_with_events=not self.settings.kafka_bootstrap,
            )
        )
        self.cache.lookup = self.keys.lookup
        loop = asyncio.get_running_loop()

        def forget(subject: str) -> None:  # called by the catalog's follower thread
            loop.call_soon_threadsafe(self.keys.forget, subject)

        self.cache.erasure_listeners.append(forget)
        self.store = SealingStore(
            make_store(self.settings, self.database_url),
            self.keys,
            self.cache.personal_fields,
            keys_with_events=not self.settings.kafka_bootstrap,
        )
        await self.store.start()
        salts = DailySalts(self.database_url)
        await salts.start()
        self.visitors = Visitors(salts, self._open_geo_database())
        # The read models must exist before the API queries them.
        log.info("preparing the read models")
        await asyncio.to_thread(setup_read_models, self.database_url, self.catalog)
        await asyncio.to_thread(create_login_throttle_table, self.database_url)
        await asyncio.to_thread(create_alerting_tables, self.database_url)
        await asyncio.to_thread(create_refresh_token_table, self.database_url)
        if self.run_workers and not self.settings.database_url:
            await asyncio.to_thread(self._grant_analyst_access)
            self._watch_embedded_postgres()
        self.heads = make_head_probe(self.settings, self.database_url)
        self.pool = AsyncConnectionPool(
            self.database_url,
            min_size=1,
            max_size=8,
            open=False,
            configure=configure_reads,
            # A connection the server closed (a restart) is found out and replaced before it
            # is lent, and a request waits a bounded time for one while the database is away.
            check=AsyncConnectionPool.check_connection,
            timeout=POOL_TIMEOUT,
            # A filter no index serves scans all of event_logs: cancel it rather than let a
            # few of them hold every connection of the pool.
            kwargs={
                "options": f"-c statement_timeout={self.settings.query_timeout_ms}",
                "connect_timeout": 2,
            },
        )
        await self.pool.open()
        self.login_throttle = LoginThrottle(self.pool)
        self.refresh_tokens = RefreshTokens(self.pool, REFRESH_TTL)
        self._follower = CatalogFollower(self.cache, self.database_url, CATALOG_TABLE)
        self._follower.start()
        self.feed = ProjectionFeed(self.database_url)
        self.feed.start()
        self._start_children()

    def _open_geo_database(self) -> GeoDatabase | None:
        path = self.settings.geoip_db
        if path is None:
            self.geo_problem = (
                "no geo database: run scripts/geoip fetch, or set EVENTLENS_GEOIP_DB to an "
                "MMDB file or directory"
            )
            log.info("events are recorded without places: %s", self.geo_problem)
            return None
        try:
            return GeoDatabase(path)
        except (OSError, ValueError) as problem:
            self.geo_problem = f"the geo database at {path} cannot be read: {problem}"
            log.warning("events are recorded without places: %s", self.geo_problem)
            return None

    def _start_children(self) -> None:
        """The projection workers and the other API processes, once everything they share
        (database, catalog, first admin, read models) exists."""
        env = {"EVENTLENS_DATABASE_URL": self.database_url}
        if self.run_workers:
            self.children.append(ChildProcess("projection workers", ["worker"], env))
        serving = self.serving
        for slot in range(1, serving.replicas + 1):
            assert serving.listen_fd is not None
            args = ["api", "--replica", str(serving.listen_fd)]
            self.children.append(
                ChildProcess(f"API process {slot}", args, env, pass_fds=(serving.listen_fd,))
            )
        for child in self.children:
            child.start()
        if self.children:
            self._supervisor = asyncio.create_task(self._supervise(), name="supervisor")

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(self.SUPERVISE_INTERVAL)
            for child in self.children:
                child.keep_alive()

    def _watch_embedded_postgres(self) -> None:
        """`eventlens up` starts its embedded server again if it dies."""
        from psycopg.conninfo import conninfo_to_dict

        port = int(str(conninfo_to_dict(self.database_url)["port"]))
        self._postgres_watch = EmbeddedPostgresWatch(self.settings.data_dir, port)
        self._postgres_watch.start()

    def _grant_analyst_access(self) -> None:
        """The embedded database gets a read-only role for analysts (`eventlens dsn`), held
        to its time limit by this process."""
        from eventlens import embedded_postgres
        from eventlens.analyst_role import ensure_analyst_role

        password = embedded_postgres.analyst_password(self.settings.data_dir)
        ensure_analyst_role(self.database_url, password, PRIVATE_TABLES)
        self._analyst_watch = AnalystWatch(self.database_url)
        self._analyst_watch.start()

    async def projection_lags(self) -> list[Lag]:
        """Each projection's lag, measured at most once a second however often it is asked
        for: `/ready` and `/metrics` are public, and a measurement opens connections."""
        async with self._lags_lock:
            now = time.monotonic()
            if self._lags is None or now - self._lags[0] > LAGS_MAX_AGE:
                self._lags = (now, await asyncio.to_thread(self._measure_lags))
            return self._lags[1]

    def _measure_lags(self) -> list[Lag]:
        """In Kafka mode the store's heads are known while the database is away: the lag is
        then measured from where the projections were when it last answered."""
        try:
            self._applied = projections_applied(self.database_url, self.catalog)
        except psycopg.OperationalError as problem:
            reason = str(problem).strip().splitlines()[0] if str(problem).strip() else "no answer"
            self.database_problem = f"the database is unavailable: {reason}"
            if self._applied is None or not self.settings.uses_kafka:
                raise
        else:
            self.database_problem = None
        return lags_since(self._applied, self.heads)

    async def sync_catalog(self) -> None:
        """Read what other processes recorded in the catalog until now (unless the database
        is away: the catalog is then served from memory)."""
        await asyncio.to_thread(self.cache.sync)

    async def stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
        if self._postgres_watch is not None:
            await self._postgres_watch.stop()
        if self._follower is not None:
            self._follower.stop()
        if self._analyst_watch is not None:
            await asyncio.to_thread(self._analyst_watch.stop)
        await self.feed.stop()
        await asyncio.gather(*(asyncio.to_thread(child.stop) for child in self.children))
        if hasattr(self, "visitors"):
            await self.visitors.salts.stop()
            if self.visitors.geo is not None:
                self.visitors.geo.close()
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
