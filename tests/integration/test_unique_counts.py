"""Unique counts merge the sketches the read side already holds with the rows that changed."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from psycopg import AsyncConnection

from eventlens import views
from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.tracking import TrackedEvent
from eventlens.projections.replay import replay
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.runtime.wiring import make_head_probe, projections, reader_factory
from eventlens.views.sketch_cache import SketchCache, UniqueSketches
from tests.integration.backends import Backend, drain, tracked

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("backend", ["postgres"], indirect=True)]
DAY = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
RANGE = views.StatsFilter(DAY - timedelta(days=1), DAY + timedelta(days=3))


def visits(day: int, sessions: range, user: str) -> list[TrackedEvent]:
    return [
        replace(
            tracked(session=f"s{s}"),
            client_timestamp=DAY + timedelta(days=day),
            user_id=user,
            imported=True,  # history: counted on its day
        )
        for s in sessions
    ]


def stats(backend: Backend, cache: UniqueSketches, f: views.StatsFilter = RANGE) -> views.Stats:
    async def query() -> views.Stats:
        async with await AsyncConnection.connect(backend.database_url, autocommit=True) as conn:
            return await views.stats(conn, f, cache)

    return asyncio.run(query())


def versions(cache: SketchCache) -> dict[date, str]:
    held = cache.between(date.min, date.max)
    return {key[0]: entry.version for key, entry in held.items()}


def test_a_late_event_for_a_past_day_counts_and_only_that_day_is_fetched_again(
    backend: Backend,
) -> None:
    with backend.running_store() as store:
        store.append(visits(0, range(0, 3), "u1") + visits(1, range(3, 5), "u2"))
    drain(backend.worker(TrackedEvents()), 5)
    cache = UniqueSketches()

    first = stats(backend, cache)
    assert (first.unique_sessions, first.unique_users) == (5, 2)
    before = versions(cache.daily)
    assert set(before) == {DAY.date(), DAY.date() + timedelta(days=1)}
    assert stats(backend, cache) == first  # answered from the cache: the same counts

    with backend.running_store() as store:
        store.append(visits(0, range(9, 10), "u9"))  # a new session and user on the first day
    drain(backend.worker(TrackedEvents()), 1)

    second = stats(backend, cache)
    assert (second.unique_sessions, second.unique_users) == (6, 3)
    after = versions(cache.daily)
    assert after[DAY.date()] != before[DAY.date()]
    assert after[DAY.date() + timedelta(days=1)] == before[DAY.date() + timedelta(days=1)]
    assert stats(backend, UniqueSketches()) == second  # a cold cache agrees


def test_sketches_held_before_a_replay_are_fetched_again_from_the_swapped_in_tables(
    backend: Backend,
) -> None:
    register_schema(
        RegisterSchema(SYSTEM, "portfolio_events", "Portfolio", {"page_view": {}}),
        backend.catalog,
    )
    with backend.running_store() as store:
        store.append(visits(0, range(0, 4), "u1"))
    drain(backend.worker(TrackedEvents()), 4)
    cache = UniqueSketches()
    assert stats(backend, cache).unique_sessions == 4

    # Recorded but not yet projected by a live worker: only the replay applies them.
    with backend.running_store() as store:
        store.append(visits(0, range(4, 7), "u2"))
    [events] = [p for p in projections(backend.catalog) if p.name == "events"]
    probe = make_head_probe(backend.settings, backend.database_url)
    replay(
        backend.database_url,
        events,
        reader_factory(backend.settings, backend.database_url, events, backend.catalog, "replay"),
        lambda: probe.totals(events.streams),
    )

    rebuilt = stats(backend, cache)
    assert (rebuilt.unique_sessions, rebuilt.unique_users) == (7, 2)
    assert rebuilt == stats(backend, UniqueSketches())


def test_a_range_without_events_counts_no_visitors_and_one_within_a_day_counts_its_hours(
    backend: Backend,
) -> None:
    # Sessions s0-s2 at 12:00 on the first day, s3-s4 at 12:00 on the next.
    with backend.running_store() as store:
        store.append(visits(0, range(0, 3), "u1") + visits(1, range(3, 5), "u2"))
    drain(backend.worker(TrackedEvents()), 5)

    def between(start: datetime, end: datetime) -> tuple[int, int, int]:
        found = stats(backend, UniqueSketches(), views.StatsFilter(start, end))
        return found.total_events, found.unique_sessions, found.unique_users

    assert between(DAY + timedelta(hours=2), DAY + timedelta(hours=3)) == (0, 0, 0)
    assert between(DAY + timedelta(minutes=5), DAY + timedelta(minutes=50)) == (0, 0, 0)
    assert between(DAY - timedelta(hours=1), DAY + timedelta(hours=1)) == (3, 3, 1)
    assert between(DAY, DAY + timedelta(hours=25)) == (5, 5, 2)  # a day and an hour
