"""Plausible's Stats API v2 (`POST /api/v2/query`) against a real `eventlens up`, over a known
dataset sent through ingest as the tracker sends it: five visitors (four places, three
browsers) making eight visits over three days, from a search engine, a newsletter, Hacker
News, an ad and directly, with a custom event, an outbound click and engagement.

Every number below is counted by hand from that dataset (`VISITS`): visitors, visits, page
views, bounce rate, visit duration and views per visit; breakdowns by source, channel, page,
entry and exit page, device, browser, country and day; each filter operator and their
combinations; ordering, paging, time labels, row counts and comparison with the period before;
Plausible's documented example queries; and Plausible's error answers. All of it in both
event-store modes: PostgreSQL, and Kafka with three partitions."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform, running_in_store

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module", params=["postgres", "kafka"])
def shared_platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    """One `eventlens up` per event-store mode, shared by the module's tests."""
    with running_in_store(request, tmp_path_factory, postgres_server, "stats") as running:
        yield running


SITE = "https://stats.example"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
# Addresses and where DB-IP Lite (the pinned version scripts/geoip fetches) places them.
LONDON, MOUNTAIN_VIEW, TALLINN, BERLIN = "81.2.69.142", "8.8.8.8", "217.159.128.1", "85.214.132.117"
NOWHERE = "203.0.113.5"  # a documentation address: no place
TODAY = datetime.now(UTC).date()
D1, D2, D3 = (TODAY - timedelta(days=n) for n in (3, 2, 1))

# Visitor -> (address, User-Agent, events: (day, time, type, path, referrer, properties)).
# A: two visits (D1 from Google with a signup, D3 direct on a blog post, a bounce).
# B: D1 from a newsletter (a bounce), D2 from Hacker News (two pages, engaged on the second).
# C: D2 from Google, an outbound click, then the pricing page.
# D: D3 direct, two pages, then after 40 idle minutes a new visit on pricing (a bounce).
# E: D3 from an ad on pricing (a bounce), from nowhere known.
VISITS: dict[str, tuple[str, str, list[tuple[Any, ...]]]] = {
    "A": (
        LONDON,
        CHROME_MAC,
        [
            (D1, "10:00", "page_view", "/", "https://www.google.com/", {}),
            (D1, "10:05", "page_view", "/pricing", None, {}),
            (D1, "10:06", "signup", "/pricing", None, {"plan": "pro", "is_customer": "true"}),
            (
                D1,
                "10:07",
                "engagement",
                "/pricing",
                None,
                {"engaged_ms": 60000, "scroll_depth": 80},
            ),
            (D3, "10:00", "page_view", "/blog/post-1", None, {}),
            (
                D3,
                "10:01",
                "engagement",
                "/blog/post-1",
                None,
                {"engaged_ms": 30000, "scroll_depth": 50},
            ),
        ],
    ),
    "B": (
        MOUNTAIN_VIEW,
        SAFARI_IPHONE,
        [
            (
                D1,
                "12:00",
                "page_view",
                "/?utm_source=newsletter&utm_medium=email&utm_campaign=winter",
                None,
                {},
            ),
            (D2, "12:00", "page_view", "/pricing", "https://news.ycombinator.com/item?id=1", {}),
            (D2, "12:02", "page_view", "/blog/post-1", None, {}),
            (
                D2,
                "12:03",
                "engagement",
                "/blog/post-1",
                None,
                {"engaged_ms": 90000, "scroll_depth": 100},
            ),
        ],
    ),
    "C": (
        TALLINN,
        FIREFOX_WINDOWS,
        [
            (D2, "09:00", "page_view", "/blog/post-2", "https://www.google.com/", {}),
            (
                D2,
                "09:03",
                "outbound_click",
                "/blog/post-2",
                None,
                {"url": "https://elsewhere.example/"},
            ),
            (D2, "09:05", "page_view", "/pricing", None, {}),
        ],
    ),
    "D": (
        BERLIN,
        CHROME_MAC,
        [
            (D3, "08:00", "page_view", "/", None, {}),
            (D3, "08:10", "page_view", "/about", None, {}),
            (D3, "08:50", "page_view", "/pricing", None, {}),
        ],
    ),
    "E": (
        NOWHERE,
        CHROME_MAC,
        [(D3, "14:00", "page_view", "/pricing?utm_source=google&utm_medium=cpc", None, {})],
    ),
}
ALL_DAYS = [D1.isoformat(), D3.isoformat()]


@dataclass(frozen=True)
class Dataset:
    container_id: str
    domain: str
    geo: bool


def tracker_event(
    day: date,
    clock: str,
    event_type: str,
    path: str,
    referrer: str | None,
    properties: dict[str, Any],
) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": event_type,
        "url": f"{SITE}{path}",
        "referrer": referrer,
        "screen_width": 1440,
        "properties": properties,
        "timestamp": f"{day.isoformat()}T{clock}:00Z",
    }


@pytest.fixture(scope="module")
def dataset(shared_platform: RunningPlatform) -> Dataset:
    schema = shared_platform.admin_post(
        "/api/schemas/",
        {"name": "stats_shop", "description": "A shop", "properties": {"signup": {}}},
    )
    assert schema.status_code == 201, schema.text
    adaptor = shared_platform.admin_post(
        "/api/adaptors/", {"name": "Stats shop", "schema_id": "stats_shop", "website_url": SITE}
    )
    assert adaptor.status_code == 201, adaptor.text
    container_id: str = adaptor.json()["container_id"]
    sent = 0
    for address, user_agent, events in VISITS.values():
        body = {"events": [{"container_id": container_id, **tracker_event(*e)} for e in events]}
        # Days in the past: only an admin's import counts events at their own time.
        headers = {"X-Forwarded-For": address, "User-Agent": user_agent, **shared_platform.auth()}
        response = shared_platform.client.post("/api/events/import", json=body, headers=headers)
        assert response.status_code == 202, response.text
        sent += len(events)
    deadline = time.monotonic() + 60
    while len(shared_platform.recent(limit=1000, adaptor_id=container_id)) < sent:
        assert time.monotonic() < deadline, "the events were not projected"
        time.sleep(0.1)
    status = shared_platform.client.get("/api/collection/status", headers=shared_platform.auth())
    return Dataset(container_id, "stats.example", status.json()["geo"]["enabled"])


def ask(platform: RunningPlatform, body: dict[str, Any]) -> dict[str, Any]:
    response = platform.client.post("/api/v2/query", json=body, headers=platform.auth())
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def results(platform: RunningPlatform, dataset: Dataset, **query: Any) -> list[Any]:
    body = {"site_id": dataset.domain, "date_range": ALL_DAYS, **query}
    return [[row["dimensions"], row["metrics"]] for row in ask(platform, body)["results"]]


def totals(
    platform: RunningPlatform, dataset: Dataset, metrics: list[str], **query: Any
) -> list[Any]:
    (row,) = results(platform, dataset, metrics=metrics, **query)
    assert row[0] == []
    values: list[Any] = row[1]
    return values


def refusal(platform: RunningPlatform, body: dict[str, Any]) -> str:
    response = platform.client.post("/api/v2/query", json=body, headers=platform.auth())
    assert response.status_code == 400, response.text
    assert response.json()["detail"] == response.json()["error"]
    message: str = response.json()["error"]
    return message


def test_the_top_graph_numbers_are_exact(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    metrics = [
        "visitors",
        "visits",
        "pageviews",
        "events",
        "bounce_rate",
        "visit_duration",
        "views_per_visit",
    ]

    # 12 page views in 8 visits; 4 of them bounce (A's second, B's first, D's second, E's);
    # durations 420 + 60 + 0 + 180 + 300 + 600 + 0 + 0 = 1560 s (engagement included).
    assert totals(shared_platform, dataset, metrics) == [5, 8, 12, 14, 50, 195, 1.5]


def test_a_site_is_named_by_its_domain_or_its_container_id(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    by_id = {"site_id": dataset.container_id, "metrics": ["visitors"], "date_range": ALL_DAYS}
    by_www = {**by_id, "site_id": "www.stats.example"}

    assert ask(shared_platform, by_id)["results"] == [{"metrics": [5], "dimensions": []}]
    assert ask(shared_platform, by_www)["results"] == [{"metrics": [5], "dimensions": []}]


def test_the_answer_echoes_the_query_as_run(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = ask(
        shared_platform,
        {
            "site_id": dataset.domain,
            "metrics": ["visitors"],
            "date_range": ALL_DAYS,
            "dimensions": ["time"],
        },
    )

    assert answer["meta"] == {}
    assert answer["query"] == {
        "site_id": dataset.domain,
        "metrics": ["visitors"],
        "date_range": [f"{D1}T00:00:00+00:00", f"{D3}T23:59:59+00:00"],
        "filters": [],
        "dimensions": ["time:day"],
        "order_by": [["time:day", "asc"], ["visitors", "desc"]],
        "include": {},
        "pagination": {"limit": 10000, "offset": 0},
    }
    again = ask(shared_platform, answer["query"])
    assert again["results"] == answer["results"]


def test_breakdowns_by_source_and_channel(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    by_source = results(
        shared_platform,
        dataset,
        metrics=["visitors", "visits", "bounce_rate"],
        dimensions=["visit:source"],
    )
    by_channel = results(
        shared_platform, dataset, metrics=["visitors", "percentage"], dimensions=["visit:channel"]
    )

    assert by_source == [
        [["Google"], [3, 3, 33]],
        [["Direct / None"], [2, 3, 67]],
        [["Hacker News"], [1, 1, 0]],
        [["newsletter"], [1, 1, 100]],
    ]
    assert by_channel == [
        [["Direct"], [2, 40.0]],
        [["Organic Search"], [2, 40.0]],
        [["Email"], [1, 20.0]],
        [["Organic Social"], [1, 20.0]],
        [["Paid Search"], [1, 20.0]],
    ]


def test_breakdowns_by_page_entry_page_and_exit_page(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    pages = results(
        shared_platform, dataset, metrics=["visitors", "pageviews"], dimensions=["event:page"]
    )
    entries = results(
        shared_platform,
        dataset,
        metrics=["visits", "bounce_rate", "visit_duration"],
        dimensions=["visit:entry_page"],
    )
    exits = results(shared_platform, dataset, metrics=["visits"], dimensions=["visit:exit_page"])

    assert pages == [
        [["/pricing"], [5, 5]],
        [["/"], [3, 3]],
        [["/blog/post-1"], [2, 2]],
        [["/about"], [1, 1]],
        [["/blog/post-2"], [1, 1]],
    ]
    assert entries == [
        [["/"], [3, 33, 340]],
        [["/pricing"], [3, 67, 60]],
        [["/blog/post-1"], [1, 100, 60]],
        [["/blog/post-2"], [1, 0, 300]],
    ]
    assert exits == [[["/pricing"], [4]], [["/blog/post-1"], [2]], [["/"], [1]], [["/about"], [1]]]


def test_breakdowns_by_device_browser_and_day(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    devices = results(shared_platform, dataset, metrics=["visitors"], dimensions=["visit:device"])
    browsers = results(
        shared_platform, dataset, metrics=["visitors"], dimensions=["visit:browser", "visit:os"]
    )
    days = results(
        shared_platform,
        dataset,
        metrics=["visitors", "visits", "pageviews"],
        dimensions=["time:day"],
    )

    assert devices == [[["Desktop"], [4]], [["Mobile"], [1]]]
    assert browsers == [
        [["Chrome", "Mac"], [3]],
        [["Firefox", "Windows"], [1]],
        [["Safari", "iOS"], [1]],
    ]
    assert days == [
        [[D1.isoformat()], [2, 2, 3]],
        [[D2.isoformat()], [2, 2, 4]],
        [[D3.isoformat()], [3, 4, 5]],
    ]


def test_breakdowns_by_country_and_city(shared_platform: RunningPlatform, dataset: Dataset) -> None:
    if not dataset.geo:
        pytest.skip("no geo database: places are not recorded")
    countries = results(
        shared_platform,
        dataset,
        metrics=["visitors"],
        dimensions=["visit:country", "visit:country_name"],
    )
    cities = results(
        shared_platform,
        dataset,
        metrics=["visitors"],
        dimensions=["visit:city_name"],
        filters=[["is", "visit:country", ["EE", "GB"]]],
    )

    assert countries == [
        [["", ""], [1]],
        [["DE", "Germany"], [1]],
        [["EE", "Estonia"], [1]],
        [["GB", "United Kingdom"], [1]],
        [["US", "United States"], [1]],
    ]
    assert cities == [[["London"], [1]], [["Tallinn (Kristiine linnaosa)"], [1]]]


def test_events_by_name_and_custom_property(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    names = results(
        shared_platform, dataset, metrics=["visitors", "events"], dimensions=["event:name"]
    )
    plans = results(
        shared_platform,
        dataset,
        metrics=["visitors"],
        dimensions=["event:props:plan"],
        filters=[["is", "event:name", ["signup"]]],
    )

    assert names == [[["pageview"], [5, 12]], [["outbound_click"], [1, 1]], [["signup"], [1, 1]]]
    assert plans == [[["pro"], [1]]]


def test_time_on_page_and_scroll_depth_come_from_engagement(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    pages = results(
        shared_platform,
        dataset,
        metrics=["visitors", "time_on_page", "scroll_depth"],
        dimensions=["event:page"],
    )

    # /blog/post-1: (30 + 90) s over 2 visits, deepest scrolls 50 and 100; /pricing: 60 s, 80.
    assert pages == [
        [["/pricing"], [5, 60, 80]],
        [["/"], [3, None, None]],
        [["/blog/post-1"], [2, 60, 75]],
        [["/about"], [1, None, None]],
        [["/blog/post-2"], [1, None, None]],
    ]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([["is", "visit:source", ["Google"]]], [3, 3, 5, 33]),
        ([["is_not", "visit:source", ["Direct / None"]]], [4, 5, 8, 40]),
        ([["contains", "event:page", ["blog"]]], [3, 3, 3, 50]),
        ([["contains", "event:page", ["BLOG"], {"case_sensitive": False}]], [3, 3, 3, 50]),
        ([["contains_not", "event:page", ["blog", "pricing"]]], [3, 3, 4, 33]),
        ([["matches", "event:page", ["^/blog/post-\\d+$"]]], [3, 3, 3, 50]),
        ([["matches_not", "event:page", ["^/blog/post-\\d+$"]]], [5, 7, 9, 50]),
        ([["not", ["is", "visit:device", ["Mobile"]]]], [4, 6, 9, 50]),
        (
            [["or", [["is", "visit:channel", ["Email"]], ["is", "visit:browser", ["Firefox"]]]]],
            [2, 2, 3, 50],
        ),
        ([["is", "event:page", ["/pricing"]], ["is", "visit:os", ["Mac"]]], [3, 3, 3, 100]),
        ([["has_done", ["is", "event:name", ["signup"]]]], [1, 1, 2, 0]),
        ([["has_not_done", ["is", "event:name", ["signup"]]]], [5, 7, 10, 57]),
    ],
    ids=[
        "is",
        "is_not",
        "contains",
        "contains ignoring case",
        "contains_not",
        "matches",
        "matches_not",
        "not",
        "or",
        "page and os",
        "has_done",
        "has_not_done",
    ],
)
def test_filters(
    shared_platform: RunningPlatform, dataset: Dataset, filters: list[Any], expected: list[int]
) -> None:
    assert (
        totals(
            shared_platform,
            dataset,
            ["visitors", "visits", "pageviews", "bounce_rate"],
            filters=filters,
        )
        == expected
    )


def test_a_page_filter_counts_bounces_of_visits_that_entered_on_it(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    # Visits with a /pricing event: A1, B2, C, D2, E; entered on it: B2, D2 and E (two bounced).
    assert totals(
        shared_platform,
        dataset,
        ["visitors", "bounce_rate"],
        filters=[["is", "event:page", ["/pricing"]]],
    ) == [5, 67]


def test_order_by_and_pagination_with_total_rows(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    body = {
        "site_id": dataset.domain,
        "metrics": ["visitors"],
        "date_range": ALL_DAYS,
        "dimensions": ["event:page"],
        "order_by": [["event:page", "asc"]],
        "include": {"total_rows": True},
        "pagination": {"limit": 2, "offset": 1},
    }
    answer = ask(shared_platform, body)
    fewest_first = results(
        shared_platform,
        dataset,
        metrics=["visitors"],
        dimensions=["event:page"],
        order_by=[["visitors", "asc"], ["event:page", "desc"]],
    )

    assert answer["results"] == [
        {"metrics": [1], "dimensions": ["/about"]},
        {"metrics": [2], "dimensions": ["/blog/post-1"]},
    ]
    assert answer["meta"] == {"total_rows": 5}
    assert [row[0][0] for row in fewest_first] == [
        "/blog/post-2",
        "/about",
        "/blog/post-1",
        "/",
        "/pricing",
    ]


def test_time_labels_name_every_day_of_the_range(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = ask(
        shared_platform,
        {
            "site_id": dataset.domain,
            "metrics": ["visitors"],
            "date_range": [(D1 - timedelta(days=1)).isoformat(), D3.isoformat()],
            "dimensions": ["time:day"],
            "include": {"time_labels": True},
        },
    )

    assert answer["meta"]["time_labels"] == [
        (D1 - timedelta(days=n)).isoformat() for n in (1, 0, -1, -2)
    ]
    assert [row["dimensions"][0] for row in answer["results"]] == [
        d.isoformat() for d in (D1, D2, D3)
    ]


def test_comparison_with_the_previous_period(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    base = {
        "site_id": dataset.domain,
        "date_range": [D2.isoformat(), D3.isoformat()],
        "include": {"comparisons": {"mode": "previous_period"}},
    }
    aggregate = ask(shared_platform, {**base, "metrics": ["visitors", "pageviews", "bounce_rate"]})
    devices = ask(
        shared_platform, {**base, "metrics": ["visitors"], "dimensions": ["visit:device"]}
    )
    days = ask(shared_platform, {**base, "metrics": ["visitors"], "dimensions": ["time:day"]})
    before = (D1 - timedelta(days=1)).isoformat()

    # D2-D3 against D0-D1: 5 visitors against 2, 9 page views against 3, bounces 3/6 against 1/2.
    assert aggregate["results"] == [
        {
            "metrics": [5, 9, 50],
            "dimensions": [],
            "comparison": {"dimensions": [], "metrics": [2, 3, 50], "change": [150, 200, 0]},
        }
    ]
    assert devices["results"] == [
        {
            "metrics": [4],
            "dimensions": ["Desktop"],
            "comparison": {"dimensions": ["Desktop"], "metrics": [1], "change": [300]},
        },
        {
            "metrics": [1],
            "dimensions": ["Mobile"],
            "comparison": {"dimensions": ["Mobile"], "metrics": [1], "change": [0]},
        },
    ]
    assert days["results"] == [
        {
            "metrics": [2],
            "dimensions": [D2.isoformat()],
            "comparison": {"dimensions": [before], "metrics": [0], "change": [100]},
        },
        {
            "metrics": [3],
            "dimensions": [D3.isoformat()],
            "comparison": {"dimensions": [D1.isoformat()], "metrics": [2], "change": [50]},
        },
    ]


# Plausible's Stats API v2 documentation's example queries, with `dummy.site` this site.
def test_documented_simple_aggregate_and_custom_date_range(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    aggregate = ask(
        shared_platform,
        {"site_id": dataset.domain, "metrics": ["visitors", "events"], "date_range": "7d"},
    )
    custom = ask(
        shared_platform,
        {"site_id": dataset.domain, "metrics": ["visitors"], "date_range": ALL_DAYS},
    )

    today = served_today(aggregate)
    assert aggregate["results"] == [{"metrics": [5, 14], "dimensions": []}]
    assert aggregate["query"]["date_range"] == [
        f"{today - timedelta(days=7)}T00:00:00+00:00",
        f"{today - timedelta(days=1)}T23:59:59+00:00",
    ]
    assert custom["results"] == [{"metrics": [5], "dimensions": []}]


def test_documented_country_and_city_analysis(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    if not dataset.geo:
        pytest.skip("no geo database: places are not recorded")
    answer = ask(
        shared_platform,
        {
            "site_id": dataset.domain,
            "metrics": ["visitors", "pageviews", "bounce_rate"],
            "date_range": "7d",
            "filters": [["is_not", "visit:country_name", [""]]],
            "dimensions": ["visit:country_name", "visit:city_name"],
        },
    )

    assert [[row["dimensions"], row["metrics"]] for row in answer["results"]] == [
        [["Estonia", "Tallinn (Kristiine linnaosa)"], [1, 2, 0]],
        [["Germany", "Berlin (Charlottenburg-Wilmersdorf)"], [1, 3, 50]],
        [["United Kingdom", "London"], [1, 3, 50]],
        [["United States", "Mountain View"], [1, 3, 50]],
    ]


def test_documented_utm_analysis_and_its_pagination(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    query = {
        "site_id": dataset.domain,
        "metrics": ["visitors", "events", "pageviews"],
        "date_range": "7d",
        "dimensions": ["visit:utm_medium", "visit:utm_source"],
    }
    paged = {**query, "include": {"total_rows": True}, "pagination": {"limit": 3, "offset": 1}}

    assert ask(shared_platform, query)["results"] == [
        {"metrics": [4, 12, 10], "dimensions": ["(not set)", "(not set)"]},
        {"metrics": [1, 1, 1], "dimensions": ["cpc", "google"]},
        {"metrics": [1, 1, 1], "dimensions": ["email", "newsletter"]},
    ]
    second = ask(shared_platform, paged)
    assert second["results"] == [
        {"metrics": [1, 1, 1], "dimensions": ["cpc", "google"]},
        {"metrics": [1, 1, 1], "dimensions": ["email", "newsletter"]},
    ]
    assert second["meta"] == {"total_rows": 3}
    assert second["query"]["pagination"] == {"limit": 3, "offset": 1}


def test_documented_filtering_examples(shared_platform: RunningPlatform, dataset: Dataset) -> None:
    basics = {
        "site_id": dataset.domain,
        "metrics": ["visitors"],
        "date_range": "7d",
        "filters": [
            ["contains", "event:page", ["/docs", "/pricing"]],
            ["is", "visit:country_name", ["Estonia", "United States of America"]],
        ],
    }
    ignoring_case = {
        "site_id": dataset.domain,
        "metrics": ["visitors"],
        "date_range": "7d",
        "filters": [["contains", "event:page", ["blog"], {"case_sensitive": False}]],
    }

    expected = [1] if dataset.geo else [0]  # C, from Tallinn, saw /pricing
    assert ask(shared_platform, basics)["results"] == [{"metrics": expected, "dimensions": []}]
    answer = ask(shared_platform, ignoring_case)
    assert answer["results"] == [{"metrics": [3], "dimensions": []}]
    assert answer["query"]["filters"] == [
        ["contains", "event:page", ["blog"], {"case_sensitive": False}]
    ]


def test_documented_timeseries_and_custom_properties(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    series = ask(
        shared_platform,
        {
            "site_id": dataset.domain,
            "metrics": ["visitors", "events"],
            "date_range": "7d",
            "filters": [["is", "visit:os", ["GNU/Linux", "Mac"]]],
            "dimensions": ["time:day"],
        },
    )
    customers = ask(
        shared_platform,
        {
            "site_id": dataset.domain,
            "metrics": ["visitors"],
            "date_range": "7d",
            "dimensions": ["time:day", "event:props:is_customer"],
            "order_by": [["time:day", "asc"], ["event:props:is_customer", "desc"]],
        },
    )

    assert series["results"] == [
        {"metrics": [1, 3], "dimensions": [D1.isoformat()]},
        {"metrics": [3, 5], "dimensions": [D3.isoformat()]},
    ]
    assert series["query"]["order_by"] == [["time:day", "asc"], ["visitors", "desc"]]
    assert [[row["dimensions"], row["metrics"]] for row in customers["results"]] == [
        [[D1.isoformat(), "true"], [1]],
        [[D1.isoformat(), "(none)"], [2]],
        [[D2.isoformat(), "(none)"], [2]],
        [[D3.isoformat(), "(none)"], [3]],
    ]


def test_documented_hourly_timeseries_with_labels(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    answer = ask(
        shared_platform,
        {
            "site_id": dataset.domain,
            "metrics": ["visitors"],
            "date_range": "day",
            "dimensions": ["time:hour"],
            "include": {"time_labels": True},
        },
    )

    today = date.fromisoformat(answer["query"]["date_range"][0][:10])
    assert today in (TODAY, TODAY + timedelta(days=1))  # the run may cross midnight
    assert answer["results"] == []  # nothing happened today
    assert answer["meta"]["time_labels"] == [f"{today} {hour:02d}:00:00" for hour in range(24)]


def served_today(answer: dict[str, Any]) -> date:
    """The day the server answered on: the day after the last of the 7 days before it. A run
    may cross midnight after the dataset's days were fixed."""
    today = date.fromisoformat(answer["query"]["date_range"][1][:10]) + timedelta(days=1)
    assert today in (TODAY, TODAY + timedelta(days=1))
    return today


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"metrics": ["visitors", "baa"], "date_range": "all"},
            '#/metrics/1: Invalid metric "baa"',
        ),
        (
            {"metrics": ["visitors"], "date_range": "bad_period"},
            '#/date_range: Invalid date range "bad_period"',
        ),
        (
            {"metrics": ["visitors"], "date_range": "all", "dimensions": ["badproperty"]},
            '#/dimensions/0: Invalid dimension "badproperty"',
        ),
        (
            {
                "metrics": ["visitors", "bounce_rate"],
                "date_range": "all",
                "dimensions": ["event:name"],
            },
            "Session metric(s) `bounce_rate` cannot be queried along with event dimension(s) "
            "`event:name`",
        ),
        (
            {
                "metrics": ["pageviews"],
                "date_range": "all",
                "filters": [["is", "visit:country", ["USA"]]],
            },
            "Invalid visit:country filter, visit:country needs to be a valid 2-letter "
            "country code.",
        ),
        (
            {"metrics": ["views_per_visit"], "date_range": "all", "dimensions": ["event:name"]},
            "Metric `views_per_visit` cannot be queried with `dimensions`.",
        ),
    ],
    ids=[
        "metric",
        "date range",
        "dimension",
        "session metric by event",
        "country",
        "views per visit",
    ],
)
def test_an_invalid_query_is_answered_400_naming_it(
    shared_platform: RunningPlatform, dataset: Dataset, body: dict[str, Any], message: str
) -> None:
    assert refusal(shared_platform, {"site_id": dataset.domain, **body}) == message


def test_an_unknown_site_is_answered_400_naming_it(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    message = refusal(
        shared_platform, {"site_id": "nowhere.example", "metrics": ["visitors"], "date_range": "7d"}
    )

    assert "nowhere.example" in message


def test_a_query_needs_a_signed_in_user(shared_platform: RunningPlatform, dataset: Dataset) -> None:
    body = {"site_id": dataset.domain, "metrics": ["visitors"], "date_range": "7d"}

    assert shared_platform.client.post("/api/v2/query", json=body).status_code == 401


def test_an_api_key_reads_stats_as_plausible_clients_send_it(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    issued = shared_platform.admin_post("/api/users/me/api-keys", {"name": "Plausible client"})
    assert issued.status_code == 201, issued.text
    body = {"site_id": dataset.domain, "metrics": ["visitors"], "date_range": ALL_DAYS}

    response = shared_platform.client.post(
        "/api/v2/query", json=body, headers={"Authorization": f"Bearer {issued.json()['key']}"}
    )

    assert response.status_code == 200, response.text
    assert response.json()["results"] == [{"metrics": [5], "dimensions": []}]


def test_a_shared_link_reads_its_own_site_only(
    shared_platform: RunningPlatform, dataset: Dataset
) -> None:
    link = shared_platform.admin_post(f"/api/adaptors/{dataset.container_id}/shared-links", {})
    assert link.status_code == 201, link.text
    opened = shared_platform.client.post(f"/api/shared/{link.json()['token']}")
    assert opened.status_code == 200, opened.text
    headers = {"Authorization": f"Bearer {opened.json()['access_token']}"}
    other = shared_platform.admin_post(
        "/api/adaptors/",
        {"name": "Other", "schema_id": "stats_shop", "website_url": "https://other.example"},
    )
    assert other.status_code == 201, other.text
    body = {"metrics": ["visitors"], "date_range": ALL_DAYS}

    own = shared_platform.client.post(
        "/api/v2/query", json={**body, "site_id": dataset.domain}, headers=headers
    )
    elsewhere = shared_platform.client.post(
        "/api/v2/query", json={**body, "site_id": "other.example"}, headers=headers
    )

    assert own.status_code == 200, own.text
    assert elsewhere.status_code == 403
    assert "other.example" in elsewhere.json()["error"]


# A site in Kathmandu (UTC+05:45): one visit from 23:55 to 00:05 there, across midnight.
KATHMANDU_VISIT = [
    (D2, "18:10", "page_view", "/", None, {}),
    (D2, "18:20", "page_view", "/menu", None, {}),
]


@pytest.fixture(scope="module")
def kathmandu(shared_platform: RunningPlatform, dataset: Dataset) -> str:
    adaptor = shared_platform.admin_post(
        "/api/adaptors/",
        {
            "name": "Momo",
            "schema_id": "stats_shop",
            "website_url": "https://momo.example",
            "timezone": "Asia/Kathmandu",
        },
    )
    assert adaptor.status_code == 201, adaptor.text
    container_id: str = adaptor.json()["container_id"]
    events = [
        {"container_id": container_id, **tracker_event(*e), "url": f"https://momo.example{e[3]}"}
        for e in KATHMANDU_VISIT
    ]
    headers = {"X-Forwarded-For": LONDON, "User-Agent": CHROME_MAC, **shared_platform.auth()}
    response = shared_platform.client.post(
        "/api/events/import", json={"events": events}, headers=headers
    )
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 60
    while len(shared_platform.recent(limit=10, adaptor_id=container_id)) < len(events):
        assert time.monotonic() < deadline, "the events were not projected"
        time.sleep(0.1)
    return container_id


def test_days_and_hours_are_the_sites_time_zones(
    shared_platform: RunningPlatform, kathmandu: str
) -> None:
    local_days = [D2.isoformat(), D3.isoformat()]
    body = {
        "site_id": "momo.example",
        "date_range": local_days,
        "metrics": ["visitors", "pageviews"],
    }

    by_day = ask(shared_platform, {**body, "dimensions": ["time:day"]})
    by_hour = ask(shared_platform, {**body, "dimensions": ["time:hour"]})
    visits_by_hour = ask(
        shared_platform, {**body, "metrics": ["visits"], "dimensions": ["time:hour"]}
    )

    assert by_day["query"]["date_range"] == [f"{D2}T00:00:00+05:45", f"{D3}T23:59:59+05:45"]
    assert by_day["results"] == [
        {"metrics": [1, 1], "dimensions": [D2.isoformat()]},
        {"metrics": [1, 1], "dimensions": [D3.isoformat()]},
    ]
    assert by_hour["results"] == [
        {"metrics": [1, 1], "dimensions": [f"{D2} 23:00:00"]},
        {"metrics": [1, 1], "dimensions": [f"{D3} 00:00:00"]},
    ]
    # A visit counts in every hour it was active in, as Plausible's hourly visits do.
    assert visits_by_hour["results"] == [
        {"metrics": [1], "dimensions": [f"{D2} 23:00:00"]},
        {"metrics": [1], "dimensions": [f"{D3} 00:00:00"]},
    ]
