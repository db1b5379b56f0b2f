"""The read models are exact, whatever the event store."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.update_schema import UpdateSchema, update_schema
from eventlens.domain.tracking import TrackedEvent
from eventlens.projections.catalog_views import CatalogViews
from eventlens.projections.distinct_count import merged_count
from eventlens.projections.tracked_events import TrackedEvents
from tests.integration.backends import Backend, drain, tracked

pytestmark = [pytest.mark.postgres]
DAY = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)


def mix() -> list[TrackedEvent]:
    """A known mix: 2 days, 3 sessions, 2 users, page views on 4 paths and clicks."""
    events = []
    for i in range(30):
        kind = "page_view" if i % 3 else "github_project_click"
        props = {"page_path": f"/p{i % 4}"} if kind == "page_view" else {"link_text": "GitHub"}
        event = tracked(session=f"s{i % 3}", event_type=kind, **props)
        when = DAY + timedelta(days=i % 2, minutes=i)
        events.append(replace(event, client_timestamp=when, user_id=f"u{i % 2}", imported=True))
    return events


def rows(backend: Backend, query: str) -> list[tuple]:  # type: ignore[type-arg]
    with psycopg.connect(backend.database_url) as conn:
        return conn.execute(query).fetchall()


def test_the_master_log_rollups_and_schema_table_agree_with_the_events(backend: Backend) -> None:
    events = mix()
    with backend.running_store() as store:
        store.append(events)
        store.append(events[:5])  # duplicates are counted once
    drain(backend.worker(TrackedEvents()), 30)

    assert rows(backend, "SELECT count(*) FROM event_logs") == [(30,)]
    assert rows(backend, "SELECT count(*) FROM events_portfolio_events") == [(30,)]
    for table in ("stats_minutely", "stats_hourly", "stats_daily"):
        assert rows(backend, f"SELECT sum(events) FROM {table}") == [(30,)]
    assert rows(
        backend,
        "SELECT bucket::date, event_type, events FROM stats_daily ORDER BY 1, 2",
    ) == [
        (DAY.date(), "github_project_click", 5),
        (DAY.date(), "page_view", 10),
        (DAY.date() + timedelta(days=1), "github_project_click", 5),
        (DAY.date() + timedelta(days=1), "page_view", 10),
    ]
    sketches = rows(backend, "SELECT sessions, users FROM stats_daily_uniques")
    assert merged_count(r[0] for r in sketches) == 3
    assert merged_count(r[1] for r in sketches) == 2
    assert rows(
        backend,
        "SELECT value, sum(events) FROM stats_daily_dimensions WHERE dimension = 'page' "
        "GROUP BY value ORDER BY value",
    ) == sorted(
        Counter(e.properties["page_path"] for e in events if "page_path" in e.properties).items()
    )


def test_the_seed_example_queries_run_as_written(backend: Backend) -> None:
    with backend.running_store() as store:
        store.append(mix())
    drain(backend.worker(TrackedEvents()), 30)

    top_links = rows(
        backend,
        """SELECT
  properties->>'link_text' as link,
  COUNT(*) as clicks
FROM events_portfolio_events
WHERE event_type LIKE '%click%'
GROUP BY properties->>'link_text'
ORDER BY clicks DESC
LIMIT 10;""",
    )
    daily = rows(
        backend,
        """SELECT
  DATE(timestamp) as date,
  COUNT(*) as page_views
FROM events_portfolio_events
WHERE event_type = 'page_view'
GROUP BY DATE(timestamp)
ORDER BY date DESC;""",
    )
    assert top_links == [("GitHub", 10)]
    assert [n for _, n in daily] == [10, 10]


def test_catalog_views_follow_the_catalog_and_keep_every_schema_version(backend: Backend) -> None:
    catalog = backend.catalog
    register_schema(RegisterSchema(SYSTEM, "shop_events", "Shop", {"buy": {}}), catalog)
    update_schema(
        UpdateSchema(SYSTEM, "shop_events", "Shop v2", {"buy": {}, "refund": {}}), catalog
    )
    backend.relay_catalog()
    drain(backend.worker(CatalogViews(catalog)), 2)
    drain(backend.worker(TrackedEvents()), 2)  # it creates the schema's table

    assert rows(backend, "SELECT name, version, is_active FROM schemas") == [
        ("shop_events", 2, True)
    ]
    assert rows(backend, "SELECT version, description FROM schema_versions ORDER BY 1") == [
        (1, "Shop"),
        (2, "Shop v2"),
    ]
    assert rows(backend, "SELECT count(*) FROM events_shop_events") == [(0,)]
    columns = rows(
        backend,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'",
    )
    assert "password_hash" not in {c[0] for c in columns}
