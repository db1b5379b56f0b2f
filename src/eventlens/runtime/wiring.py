"""How the parts fit: the projections, the event store and the readers each projection uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import psycopg

from eventlens.config import Settings
from eventlens.eventstore.catalog import CATALOG_TABLE, Catalog
from eventlens.eventstore.port import CATALOG_STREAM, EventReader, EventStore
from eventlens.eventstore.postgres_schema import LOG_TABLE
from eventlens.projections.alert_views import AlertViews
from eventlens.projections.audit_log import AuditLog
from eventlens.projections.catalog_views import CatalogViews
from eventlens.projections.lag import (
    Applied,
    HeadProbe,
    KafkaHeads,
    Lag,
    PostgresHeads,
    applied,
    lag_of,
)
from eventlens.projections.projection import Projection
from eventlens.projections.rejected_events import RejectedEvents
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.projections.worker import ProjectionWorker
from eventlens.runtime.visitors import SALT_TABLE

CONSUMER_GROUP_PREFIX = "eventlens-projection-"
Streams = tuple[str, ...]
# The write side and the secrets: never readable by the analyst role.
PRIVATE_TABLES = (
    LOG_TABLE,
    CATALOG_TABLE,
    "eventlens_secrets",
    "eventlens_login_failures",
    "eventlens_refresh_tokens",
    SALT_TABLE,  # a salt with a visitor's address and User-Agent gives back its id
)


def projections(
    catalog: Catalog, visit_timeout: timedelta = timedelta(minutes=30)
) -> list[Projection[Any]]:
    return [
        CatalogViews(catalog),
        TrackedEvents(visit_timeout),
        RejectedEvents(),
        AlertViews(catalog),
        AuditLog(catalog),
    ]


def make_store(settings: Settings, database_url: str) -> EventStore:
    if settings.kafka_bootstrap:
        from eventlens.eventstore.kafka import KafkaEventStore

        return KafkaEventStore(
            settings.kafka_bootstrap,
            settings.kafka_partitions,
            settings.kafka_replication,
            settings.kafka_topic_prefix,
            delivery_timeout_ms=settings.append_timeout_ms,
        )
    from eventlens.eventstore.postgres import PostgresEventStore

    return PostgresEventStore(
        database_url,
        window_us=settings.group_commit_window_us,
        connect_timeout_ms=settings.append_timeout_ms,
        statement_timeout_ms=settings.append_timeout_ms,
    )


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
            from eventlens.eventstore.catalog_reader import CatalogLogReader
            from eventlens.eventstore.composite_reader import CompositeReader
            from eventlens.eventstore.postgres_reader import PostgresEventReader

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
        from eventlens.eventstore.postgres_reader import PostgresEventReader

        return PostgresEventReader(database_url, projection.streams)

    return make


def make_head_probe(settings: Settings, database_url: str) -> HeadProbe:
    if settings.kafka_bootstrap:
        return KafkaHeads(settings.kafka_bootstrap, settings.kafka_topic_prefix)
    return PostgresHeads(database_url, CATALOG_TABLE)


def projection_lags(database_url: str, heads: HeadProbe, catalog: Catalog) -> list[Lag]:
    return lags_since(projections_applied(database_url, catalog), heads)


def projections_applied(database_url: str, catalog: Catalog) -> list[tuple[Applied, Streams]]:
    """Where each projection has got to, with the streams it reads."""
    with psycopg.connect(database_url, autocommit=True, connect_timeout=2) as conn:
        return [(applied(conn, p.name), p.streams) for p in projections(catalog)]


def lags_since(done: list[tuple[Applied, Streams]], heads: HeadProbe) -> list[Lag]:
    """The lags of projections that got to `done`, against the store's heads now: while the
    database is away in Kafka mode, the projections are at least this far behind."""
    return [lag_of(applied_to, heads, streams) for applied_to, streams in done]


def setup_read_models(database_url: str, catalog: Catalog) -> None:
    for projection in projections(catalog):
        ProjectionWorker(
            database_url, projection, reader_factory(Settings(), database_url, projection, catalog)
        ).setup()
