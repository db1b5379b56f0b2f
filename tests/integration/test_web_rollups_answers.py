"""The rollups answer every query they can exactly as `visits` and `event_logs` do: each
supported metric set, by nothing, by day, week and month, by each visit attribute and by
page, over ranges that cut visits across midnight, in UTC and in Kathmandu."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from eventlens.domain.stats_query import (
    Breakdown,
    Page,
    Site,
    StatsQuery,
    StatsQueryError,
    read_query,
    resolve_query,
)
from eventlens.domain.stats_query.dates import days
from eventlens.projections.distinct_count import SPARSE_LIMIT
from eventlens.projections.web_rollups import roll_up_visits_over
from eventlens.views.web_stats.postgres import PostgresWebStats, as_page
from eventlens.views.web_stats.rollup_shapes import VISIT_DIMENSIONS, rolled_up
from eventlens.views.web_stats.rollups import rollup_rows
from eventlens.views.web_stats.runner import run_query
from tests import services
from tests.integration.web_dataset import DAYS, MOMO, SHOP, event, history, project

pytestmark = [pytest.mark.postgres]

METRIC_SETS = [
    ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration", "views_per_visit"],
    ["visitors"],
    ["visits"],
    ["pageviews"],
    ["visitors", "pageviews"],
    ["visitors", "visits", "bounce_rate", "visit_duration"],
    ["visits", "bounce_rate", "visit_duration"],
    ["visitors", "percentage"],
]
DIMENSIONS = [
    [],
    ["time:day"],
    ["time:week"],
    ["time:month"],
    ["event:page"],
    *([name] for name in VISIT_DIMENSIONS),
    ["visit:country_name", "visit:country"],
]
# First and last day (indexes into DAYS): the whole history, one day, days that cut the
# visit across midnight, days with nothing, a week and more.
RANGES = [(0, 39), (0, 2), (0, 0), (1, 1), (2, 2), (3, 3), (3, 6), (4, 6), (1, 8)]
NOW = datetime(2026, 12, 20, tzinfo=UTC)


@pytest.fixture(scope="module")
def history_url(postgres_server: str) -> Iterator[str]:
    with services.fresh_database(postgres_server) as url:
        project(url, history())
        yield url


@pytest.fixture(scope="module")
def over_history_url(postgres_server: str) -> Iterator[str]:
    """The same history once every visit is over (time moved on)."""
    with services.fresh_database(postgres_server) as url:
        project(url, history())
        with psycopg.connect(url) as conn:
            roll_up_visits_over(conn, datetime(9999, 1, 1, tzinfo=UTC))
        yield url


def open_visits(url: str) -> int:
    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT count(*) FROM visits WHERE NOT rolled").fetchone()
        return found[0] if found else 0


class OneConnection:
    """A pool of one connection, as `PostgresWebStats` asks a pool for one."""

    def __init__(self, conn: psycopg.AsyncConnection[Any]) -> None:
        self.conn = conn

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        yield self.conn


class RollupsOnly(PostgresWebStats):
    """Fails any breakdown the rollups do not answer."""

    async def breakdown(self, site: Site, breakdown: Breakdown) -> Page:
        assert rolled_up(breakdown), breakdown
        async with self.pool.connection() as conn:
            found = await rollup_rows(conn, site, breakdown)
        assert found is not None, breakdown
        return as_page(breakdown, found)


def queries() -> Iterator[tuple[Site, dict[str, Any]]]:
    for site in (SHOP, MOMO):
        for metrics in METRIC_SETS:
            for dimensions in DIMENSIONS:
                for first, last in RANGES if site is SHOP else RANGES[:6]:
                    body = {
                        "site_id": site.container_id,
                        "metrics": metrics,
                        "date_range": [DAYS[first].isoformat(), DAYS[last].isoformat()],
                        "dimensions": dimensions,
                    }
                    try:
                        query = read_query(body)
                    except StatsQueryError:
                        continue  # a query Plausible refuses
                    if answered_by_rollups(site, query):
                        yield site, body
    for site in (SHOP, MOMO):
        for dimensions in ([], ["time:day"]):
            yield (
                site,
                {
                    "site_id": site.container_id,
                    "metrics": ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"],
                    "date_range": [DAYS[2].isoformat(), DAYS[3].isoformat()],
                    "dimensions": dimensions,
                    "include": {"comparisons": {"mode": "previous_period"}},
                },
            )


def answered_by_rollups(site: Site, query: StatsQuery) -> bool:
    resolved = resolve_query(query, NOW.date(), site.timezone)
    metrics = tuple(m for m in query.metrics if m != "percentage") or ("visitors",)
    return rolled_up(Breakdown(metrics, resolved.dimensions, (), resolved.time_range))


async def both_ways(url: str) -> tuple[int, list[Any]]:
    differences = []
    asked = 0
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        pool = OneConnection(conn)
        raw, rolled = PostgresWebStats(pool, rollups=False), RollupsOnly(pool)
        for site, body in queries():
            query = read_query(body)
            expected = await run_query(raw, site, query, NOW)
            found = await run_query(rolled, site, query, NOW)
            asked += 1
            if found["results"] != expected["results"]:
                differences.append((body, expected["results"], found["results"]))
    return asked, differences


def test_the_rollups_and_the_visits_still_open_answer_as_the_visits_and_events_do(
    history_url: str,
) -> None:
    asked, differences = asyncio.run(both_ways(history_url))

    assert open_visits(history_url) > 0
    assert asked > 1000
    assert differences == []


def test_the_rollups_answer_as_the_visits_and_events_do_once_every_visit_is_over(
    over_history_url: str,
) -> None:
    asked, differences = asyncio.run(both_ways(over_history_url))

    assert open_visits(over_history_url) == 0
    assert asked > 1000
    assert differences == []


async def answers(url: str, site: Site, body: dict[str, Any]) -> tuple[Any, Any]:
    """The query's results counted from the raw tables, and as `PostgresWebStats` answers."""
    query = read_query(body)
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        pool = OneConnection(conn)
        raw = await run_query(PostgresWebStats(pool, rollups=False), site, query, NOW)
        served = await run_query(PostgresWebStats(pool), site, query, NOW)
    return raw["results"], served["results"]


def test_a_site_whose_zone_changed_is_answered_from_visits_and_events(history_url: str) -> None:
    moved = replace(SHOP, timezone="Europe/Paris")  # its adaptor's zone now
    body = {"site_id": SHOP.container_id, "metrics": ["visitors", "pageviews"], "date_range": "all"}

    async def ask() -> Any:
        async with await psycopg.AsyncConnection.connect(history_url, autocommit=True) as conn:
            breakdown = Breakdown(("visitors",), (), (), days(DAYS[0], DAYS[3], moved.timezone))
            return await rollup_rows(conn, moved, breakdown)

    raw, served = asyncio.run(answers(history_url, moved, body))

    assert asyncio.run(ask()) is None
    assert served == raw


def test_past_512_visitors_a_day_a_ranges_visitors_are_its_days_estimates_summed(
    database_url: str,
) -> None:
    crowd = [
        event(SHOP, day, "12:00", "/", visitor=f"{day}{n:015d}")
        for day in (0, 1)
        for n in range(SPARSE_LIMIT + 100)
    ]
    project(database_url, [crowd])
    with psycopg.connect(database_url) as conn:
        roll_up_visits_over(conn, datetime(9999, 1, 1, tzinfo=UTC))  # the second day's too
    body = {
        "site_id": SHOP.container_id,
        "metrics": ["visitors", "visits", "pageviews"],
        "date_range": [DAYS[0].isoformat(), DAYS[1].isoformat()],
    }
    with psycopg.connect(database_url) as conn:
        days_visitors = conn.execute(
            "SELECT sum(visitors) FROM visit_rollups WHERE dimension = ''"
        ).fetchone()

    raw, served = asyncio.run(answers(database_url, SHOP, body))

    [[visitors, visits, pageviews]] = [row["metrics"] for row in served]
    assert raw == [{"metrics": [2 * (SPARSE_LIMIT + 100)] * 3, "dimensions": []}]
    assert (visits, pageviews) == (2 * (SPARSE_LIMIT + 100),) * 2
    assert days_visitors is not None and visitors == days_visitors[0]
    assert abs(visitors - 2 * (SPARSE_LIMIT + 100)) <= 0.05 * 2 * (SPARSE_LIMIT + 100)
