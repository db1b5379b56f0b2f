"""Which breakdowns the rollups answer: no filter, whole days in the site's zone, the visit
metrics, by nothing, a day, week or month, one visit attribute, or page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from eventlens.domain.stats_query import Breakdown, Condition
from eventlens.domain.stats_query.dates import TimeRange, days
from eventlens.views.web_stats.rollup_shapes import rolled_up

WEEK = days(date(2026, 11, 2), date(2026, 11, 8), "Europe/Paris")
TOP_GRAPH = ("visitors", "visits", "pageviews", "bounce_rate", "visit_duration")


def breakdown(
    metrics: tuple[str, ...] = TOP_GRAPH,
    dimensions: tuple[str, ...] = (),
    time_range: TimeRange = WEEK,
    filters: tuple[Condition, ...] = (),
) -> Breakdown:
    return Breakdown(metrics, dimensions, filters, time_range)


@pytest.mark.parametrize(
    "dimensions",
    [
        (),
        ("time:day",),
        ("time:week",),
        ("time:month",),
        ("visit:source",),
        ("visit:city_name",),
        ("visit:country_name", "visit:country"),
    ],
)
def test_the_top_graph_and_visit_breakdowns_over_whole_days_are_rolled_up(
    dimensions: tuple[str, ...],
) -> None:
    assert rolled_up(breakdown(dimensions=dimensions))


def test_top_pages_are_rolled_up_for_their_visitors_and_page_views() -> None:
    assert rolled_up(breakdown(("visitors", "pageviews"), ("event:page",)))
    assert not rolled_up(breakdown(("visits",), ("event:page",)))


def test_exit_pages_are_rolled_up_for_their_visitors_and_visits_not_page_views() -> None:
    assert rolled_up(breakdown(("visitors", "visits", "bounce_rate"), ("visit:exit_page",)))
    assert not rolled_up(breakdown(("pageviews",), ("visit:exit_page",)))


@pytest.mark.parametrize(
    "asked",
    [
        breakdown(filters=(Condition("is", "visit:device", ("Mobile",)),)),
        breakdown(("events",)),
        breakdown(("visitors", "time_on_page"), ("event:page",)),
        breakdown(dimensions=("time:hour",)),
        breakdown(dimensions=("visit:browser", "visit:os")),
        breakdown(dimensions=("event:name",)),
        breakdown(
            time_range=TimeRange(
                datetime(2026, 11, 2, 6, tzinfo=UTC),
                datetime(2026, 11, 3, 6, tzinfo=UTC) - timedelta(seconds=1),
                "Europe/Paris",
            )
        ),
    ],
    ids=[
        "filtered",
        "events",
        "time on page",
        "hours",
        "two dimensions",
        "event name",
        "hours cut",
    ],
)
def test_anything_else_is_counted_from_visits_and_events(asked: Breakdown) -> None:
    assert not rolled_up(asked)
