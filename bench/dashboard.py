"""The requests behind each dashboard page, as the dashboard sends them (`dashboard/src/lib/
queries.ts`, `statsApi.ts`, `breakdowns.ts`), with ranges and filters drawn from a seeded
distribution.

A page visit is a list of requests (method, path, JSON body). `page_visit(rng, site)` draws one
page and its range and filters; the same seed gives the same visits. Each request names the
page and the card it stands for, so latencies can be reported per page.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

STATS_TOTALS = "totalEvents pageViews clicks uniqueSessions uniqueUsers"
STATS_BREAKDOWN = (
    f"{STATS_TOTALS} eventsByType {{ key count }} eventsByAdaptor {{ key count }} start end"
)
OVERVIEW_STATS = (
    f"query OverviewStats($filter: StatsInput) {{ stats(filter: $filter) {{ {STATS_BREAKDOWN} }} }}"
)
PREVIOUS_STATS = (
    f"query PreviousStats($filter: StatsInput) {{ stats(filter: $filter) {{ {STATS_TOTALS} }} }}"
)
TIME_SERIES = (
    "query TimeSeries($resolution: Resolution!, $filter: StatsInput) "
    "{ timeSeries(resolution: $resolution, filter: $filter) { bucket count } }"
)
TOP = (
    "query Top($filter: StatsInput, $limit: Int!) { topPages(filter: $filter, limit: $limit) "
    "{ key count } topLinks(filter: $filter, limit: $limit) { key count } }"
)
ME = "query Me { me { username role } }"
CATALOG = (
    "query Catalog { schemas(includeRetired: true) { name isActive eventTypes { name } } "
    "adaptors { containerId name schemaId isActive } }"
)
PIPELINE = (
    "query Pipeline($rateFilter: StatsInput) { timeSeries(resolution: MINUTE, "
    "filter: $rateFilter) { bucket count } }"
)
PIPELINE_HEALTH = (
    "query PipelineHealth { databaseHealth { available problem } projectionLag { projection "
    "eventsBehind secondsBehind lastAppliedAt } }"
)
REJECTED = (
    "query RejectedEvents($schemaId: String, $reason: String, $limit: Int!, $cursor: String) "
    "{ rejectedEvents(schemaId: $schemaId, reason: $reason, limit: $limit, cursor: $cursor) "
    "{ items { eventId schemaId containerId eventType receivedAt reasons { code message } "
    "payload reprocessed } nextCursor } }"
)
REPLAY_STATUS = (
    "query ReplayStatus { replayStatus { projection state eventsDone eventsTotal rate "
    "etaSeconds startedAt finishedAt } }"
)
SITE = (
    "query Site($containerId: String!) { adaptor(containerId: $containerId) { containerId name "
    "websiteUrls timezone isActive } }"
)
WEB_STATS = "query WebStats($query: JSON!) { webStats(query: $query) }"
CURRENT_VISITORS = "query CurrentVisitors($siteId: String!) { currentVisitors(siteId: $siteId) }"

# The overview's ranges (days) and the site dashboard's periods, with how often each is picked.
OVERVIEW_DAYS = ((1, 30), (7, 30), (30, 30), (90, 10))
SITE_PERIODS = (("day", 25), ("7d", 25), ("28d", 15), ("30d", 20), ("month", 10), ("12mo", 5))
SITE_METRICS = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"]
GRAPH_METRICS = ("visitors", "pageviews", "visits")
# The first tab of each card opens with the page; a visitor then opens another one sometimes.
FIRST_TABS = ("visit:channel", "event:page", "visit:country_name", "visit:device")
OTHER_TABS = (
    "visit:source",
    "visit:utm_source",
    "visit:entry_page",
    "visit:exit_page",
    "visit:browser",
    "visit:os",
    "visit:region_name",
)
PAGES = (("overview", 45), ("site", 45), ("pipeline", 10))


@dataclass(frozen=True)
class Request:
    page: str
    card: str
    method: str
    path: str
    body: dict[str, Any] | None


@dataclass(frozen=True)
class Site:
    container_id: str
    schema_id: str
    event_types: tuple[str, ...]


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _ in weighted], [w for _, w in weighted])[0]


def _graphql(page: str, card: str, query: str, variables: dict[str, Any]) -> Request:
    return Request(page, card, "POST", "/graphql", {"query": query, "variables": variables})


def overview(rng: random.Random, sites: list[Site], now: datetime) -> list[Request]:
    """The overview: its stats, the previous period's, the series, top pages and links."""
    days = _pick(rng, OVERVIEW_DAYS)
    filter_: dict[str, Any] = {"days": days}
    roll = rng.random()
    if roll < 0.25:
        filter_["adaptorId"] = rng.choice(sites).container_id
    elif roll < 0.4:
        site = rng.choice(sites)
        filter_["schemaId"] = site.schema_id
        if rng.random() < 0.5:
            filter_["eventType"] = rng.choice(site.event_types)
    end = now.replace(second=0, microsecond=0)
    previous = {k: v for k, v in filter_.items() if k != "days"}
    previous["start"] = (end - timedelta(days=2 * days)).isoformat()
    previous["end"] = (end - timedelta(days=days)).isoformat()
    resolution = "HOUR" if days <= 7 else "DAY"
    return [
        _graphql("overview", "me", ME, {}),
        _graphql("overview", "catalog", CATALOG, {}),
        _graphql("overview", "stats", OVERVIEW_STATS, {"filter": filter_}),
        _graphql("overview", "previous period", PREVIOUS_STATS, {"filter": previous}),
        _graphql(
            "overview", "time series", TIME_SERIES, {"resolution": resolution, "filter": filter_}
        ),
        _graphql("overview", "top pages and links", TOP, {"filter": filter_, "limit": 10}),
    ]


def site_dashboard(rng: random.Random, sites: list[Site]) -> list[Request]:
    """A site's dashboard: the top graph's totals and series (each with the previous period),
    the first tab of every card, sometimes another tab or a filter, and current visitors."""
    site = rng.choice(sites)
    period = _pick(rng, SITE_PERIODS)
    interval = {"day": "time:hour", "12mo": "time:month"}.get(period, "time:day")
    filters: list[Any] = []
    if rng.random() < 0.2:
        filters = [["is", "event:page", [rng.choice(("/", "/blog", "/projects"))]]]
    elif rng.random() < 0.1:
        filters = [["is", "visit:device", [rng.choice(("Desktop", "Mobile"))]]]
    scope = {"site_id": site.container_id, "date_range": period, "filters": filters}

    def stats(card: str, query: dict[str, Any]) -> Request:
        return _graphql("site", card, WEB_STATS, {"query": {**scope, **query}})

    requests = [
        _graphql("site", "site", SITE, {"containerId": site.container_id}),
        stats(
            "totals",
            {"metrics": SITE_METRICS, "include": {"comparisons": {"mode": "previous_period"}}},
        ),
        stats(
            "graph",
            {
                "metrics": [rng.choice(GRAPH_METRICS)],
                "dimensions": [interval],
                "include": {"time_labels": True, "comparisons": {"mode": "previous_period"}},
            },
        ),
        _graphql("site", "current visitors", CURRENT_VISITORS, {"siteId": site.container_id}),
    ]
    tabs = list(FIRST_TABS)
    if rng.random() < 0.4:
        tabs.append(rng.choice(OTHER_TABS))
    for dimension in tabs:
        requests.append(
            stats(
                f"card {dimension}",
                {
                    "metrics": ["visitors", "percentage"],
                    "dimensions": [dimension],
                    "order_by": [["visitors", "desc"]],
                    "include": {"total_rows": True},
                    "pagination": {"limit": 10, "offset": 0},
                },
            )
        )
    return requests


def pipeline() -> list[Request]:
    """The pipeline page: projection lag and the last hour's rate, rejected events, replays."""
    return [
        _graphql("pipeline", "rate", PIPELINE, {"rateFilter": {"hours": 1}}),
        _graphql("pipeline", "lag and database", PIPELINE_HEALTH, {}),
        _graphql("pipeline", "rejected events", REJECTED, {"limit": 50}),
        _graphql("pipeline", "replay status", REPLAY_STATUS, {}),
    ]


def page_visit(rng: random.Random, sites: list[Site], now: datetime | None = None) -> list[Request]:
    """One page opened: its name is every request's `page`."""
    page = _pick(rng, PAGES)
    if page == "overview":
        return overview(rng, sites, now or datetime.now(UTC))
    if page == "site":
        return site_dashboard(rng, sites)
    return pipeline()


def too_slow(problem: str) -> bool:
    """Whether a failed answer is the API's refusal of a query over its read time limit
    (`EVENTLENS_QUERY_TIMEOUT_MS`): a measured outcome of a load, not a broken request."""
    return "read time limit" in problem


def answer_errors(body: Any) -> str | None:
    """Why a 200 answer is still a failure (GraphQL errors), or None."""
    if isinstance(body, dict) and body.get("errors"):
        return str(body["errors"])[:300]
    return None
