"""Retention periods, in both event-store modes: a site's events received before its period
are removed from the read models (and, with PostgreSQL, from the store, the one delete its
append-only triggers let through); every other event stays, and the counts stay as they were.
Kafka keeps its topics as long as the longest period of any site."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from eventlens.commands.actor import Actor
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.set_retention import SetRetention, set_retention
from eventlens.domain.errors import InvalidInput, NotFound, PermissionDenied
from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode, TrackedEvent
from eventlens.domain.user import Role
from eventlens.projections.audit_log import AuditLog
from eventlens.projections.catalog_views import CatalogViews
from eventlens.projections.rejected_events import RejectedEvents
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.runtime.retention import apply_retention
from tests.integration.backends import Backend, drain

pytestmark = [pytest.mark.postgres]

ROOT = Actor("root", Role.ADMIN)
NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=40)


def event(site: str, received_at: datetime, event_type: str = "page_view") -> TrackedEvent:
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="shop",
        event_type=event_type,
        received_at=received_at,
        container_id=site,
        session_id=f"{site}-{received_at.date()}",
        properties={},
    )


def project(backend: Backend, catalog_events: int, tracked: int, rejected: int) -> None:
    """Until each projection has read what it follows (all of it: Kafka's first polls may
    return nothing while partitions are assigned)."""
    backend.relay_catalog()
    drain(backend.worker(CatalogViews(backend.catalog)), catalog_events)
    drain(backend.worker(TrackedEvents()), catalog_events + tracked)
    drain(backend.worker(RejectedEvents()), catalog_events + rejected)


def rows(backend: Backend, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(backend.database_url) as conn:
        return conn.execute(query).fetchall()


def test_events_past_a_sites_period_go_and_everything_else_stays_exact(backend: Backend) -> None:
    catalog = backend.catalog
    # given two sites with old (40 days) and recent events, one site keeping 30 days
    register_schema(RegisterSchema(ROOT, "shop", None, {"page_view": {}}), catalog)
    short = create_adaptor(CreateAdaptor(ROOT, "Short", "shop"), catalog).container_id
    kept = create_adaptor(CreateAdaptor(ROOT, "Kept", "shop"), catalog).container_id
    set_retention(SetRetention(ROOT, short, 30), catalog)
    refused = Reason(RejectionCode.UNKNOWN_EVENT_TYPE, "no such type")
    with backend.running_store() as store:
        store.append([event(short, OLD), event(short, OLD), event(short, NOW)])
        store.append([event(kept, OLD), event(kept, NOW)])
        store.call(
            lambda: store.store.append_rejected(
                [
                    RejectedEvent(event(short, OLD, "nope"), (refused,)),
                    RejectedEvent(event(kept, OLD, "nope"), (refused,)),
                ]
            )
        )
    project(backend, catalog_events=4, tracked=5, rejected=2)
    daily = "SELECT container_id, sum(events) FROM stats_daily GROUP BY 1 ORDER BY 1"
    counted = rows(backend, daily)

    # when the retention periods are applied
    done = apply_retention(backend.settings, backend.database_url, catalog, NOW)
    project(backend, catalog_events=1, tracked=0, rejected=0)

    # then the short site's old events are gone from the read models, the rest is there
    assert rows(
        backend, "SELECT container_id, count(*) FROM event_logs GROUP BY 1 ORDER BY 1"
    ) == sorted([(short, 1), (kept, 2)])
    assert rows(backend, "SELECT container_id FROM rejected_events") == [(kept,)]
    assert rows(backend, "SELECT count(*) FROM events_shop") == [(3,)]
    # and the rollups, counts without identifiers, are kept as they were
    assert rows(backend, daily) == counted
    if backend.settings.kafka_bootstrap:
        # Kafka: the store removes nothing per site; the topics keep events forever while a
        # site keeps them forever
        from eventlens.eventstore.kafka_retention import topic_retention

        assert done == {short: 0}
        prefix = backend.settings.kafka_topic_prefix
        assert set(topic_retention(backend.settings.kafka_bootstrap, prefix).values()) == {"-1"}
        set_retention(SetRetention(ROOT, kept, 400), catalog)
        apply_retention(backend.settings, backend.database_url, catalog, NOW)
        expected = str(401 * 86_400_000)
        assert set(topic_retention(backend.settings.kafka_bootstrap, prefix).values()) == {expected}
    else:
        # PostgreSQL: the log lost exactly those three events, the short site's old ones
        assert done == {short: 3}
        stored = rows(
            backend,
            "SELECT payload::json->>'container_id', count(*) FROM eventstore_log "
            "WHERE stream LIKE 'analytics.events%' GROUP BY 1 ORDER BY 1",
        )
        assert stored == sorted([(short, 1), (kept, 3)])
        # and every other delete is still refused
        with (
            psycopg.connect(backend.database_url) as conn,
            pytest.raises(psycopg.errors.InsufficientPrivilege),
        ):
            conn.execute("DELETE FROM eventstore_log")

    # and a second run the same day expires nothing more
    assert apply_retention(backend.settings, backend.database_url, catalog, NOW) == {}

    # and the audit log shows who set the period, and each expiry by EventLens itself
    drain(backend.worker(AuditLog(catalog)), 5)
    retention_rows = rows(
        backend,
        "SELECT actor, action, subject FROM audit_log "
        "WHERE subject_type = 'Retention' ORDER BY position",
    )
    assert retention_rows[:2] == [
        ("root", "Retention.Set", short),
        ("system", "Retention.Expired", short),
    ]


def test_a_period_is_whole_days_set_by_admins_on_a_site_that_exists(backend: Backend) -> None:
    catalog = backend.catalog
    register_schema(RegisterSchema(ROOT, "shop", None, {"page_view": {}}), catalog)
    site = create_adaptor(CreateAdaptor(ROOT, "Site", "shop"), catalog).container_id

    for days in (0, -1, 3651, 1.5, "30", True):
        with pytest.raises(InvalidInput, match="days must be a whole number"):
            set_retention(SetRetention(ROOT, site, days), catalog)
    with pytest.raises(PermissionDenied):
        set_retention(SetRetention(Actor("val", Role.VIEWER), site, 30), catalog)
    with pytest.raises(NotFound):
        set_retention(SetRetention(ROOT, "CAP-ZZZZZZ", 30), catalog)
    assert catalog.retention(site) is None

    set_retention(SetRetention(ROOT, site, 30), catalog)
    set_retention(SetRetention(ROOT, site, None), catalog)
    retention = catalog.retention(site)
    assert retention is not None and retention.days is None
