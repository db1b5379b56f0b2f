"""Funnels and retention, pure: requests read and refused naming the field, the per-step
answer, and the cohort grid."""

from __future__ import annotations

from datetime import date

import pytest

from eventlens.domain.funnels import (
    Window,
    funnel_steps,
    parse_window,
    reached_per_step,
    read_funnel_query,
)
from eventlens.domain.retention import cohort_grid, period_starts, read_retention_query
from eventlens.domain.stats_query import StatsQueryError


def test_a_window_is_a_visit_or_days() -> None:
    assert parse_window("visit") == Window()
    assert parse_window(None) == Window()
    assert parse_window("7d") == Window(7)
    for bad in ("0d", "91d", "7", "d", "1w", 7):
        with pytest.raises(StatsQueryError) as refused:
            parse_window(bad)
        assert refused.value.field == "#/within"


def test_each_step_has_its_conversion_and_drop_off() -> None:
    reached = reached_per_step({1: 3, 2: 3, 3: 2}, 3)

    assert reached == [8, 5, 2]
    assert funnel_steps(("a", "b", "c"), reached) == [
        {
            "step": 1,
            "goal": "a",
            "visitors": 8,
            "conversion_rate": 100.0,
            "dropoff": 0,
            "dropoff_rate": 0.0,
        },
        {
            "step": 2,
            "goal": "b",
            "visitors": 5,
            "conversion_rate": 62.5,
            "dropoff": 3,
            "dropoff_rate": 37.5,
        },
        {
            "step": 3,
            "goal": "c",
            "visitors": 2,
            "conversion_rate": 25.0,
            "dropoff": 3,
            "dropoff_rate": 60.0,
        },
    ]


def test_an_empty_funnel_has_no_rates_to_divide() -> None:
    assert [s["conversion_rate"] for s in funnel_steps(("a", "b"), [0, 0])] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date_range": "7d", "steps": ["a", "b"]}, "#/site_id"),
        ({"site_id": "s", "date_range": "7d", "steps": "a"}, "#/steps"),
        ({"site_id": "s", "date_range": "7d", "steps": ["a", 1]}, "#/steps/1"),
        ({"site_id": "s", "date_range": "7d", "steps": ["a", "b"], "within": 3}, "#/within"),
        (
            {"site_id": "s", "date_range": "7d", "steps": ["a", "b"], "breakdown": "x"},
            "#/breakdown",
        ),
    ],
)
def test_a_funnel_request_is_refused_naming_the_field(body: object, field: str) -> None:
    with pytest.raises(StatsQueryError) as refused:
        read_funnel_query(body)

    assert refused.value.field == field


def test_a_retention_request_starts_from_the_first_visit_by_default() -> None:
    query = read_retention_query({"site_id": "s", "date_range": "30d", "period": "day"})

    assert (query.period, query.start) == ("day", None)


def test_weeks_start_on_monday() -> None:
    assert period_starts(date(2026, 11, 5), date(2026, 11, 9), "week") == [
        date(2026, 11, 2),
        date(2026, 11, 9),
    ]


def test_the_cohort_grid_is_a_triangle() -> None:
    days = [date(2026, 11, 5), date(2026, 11, 6)]
    rows = cohort_grid(days, {days[0]: 4}, {(days[0], days[0]): 4, (days[0], days[1]): 1})

    assert [[p["users"] for p in row["retention"]] for row in rows] == [[4, 1], [0]]
    assert rows[0]["retention"][1]["percentage"] == 25.0


def test_a_retention_grid_of_more_than_120_periods_is_refused() -> None:
    assert len(period_starts(date(2026, 1, 1), date(2026, 4, 30), "day")) == 120

    with pytest.raises(StatsQueryError) as refused:
        period_starts(date(2026, 1, 1), date(2026, 5, 1), "day")

    assert refused.value.field == "#/date_range"
