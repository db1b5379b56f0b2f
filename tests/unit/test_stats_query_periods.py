"""A query's period in the site's time zone, its time buckets and labels, the comparison
period and each metric's change, as Plausible computes them (its own test cases, with
today being 2021-05-05)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from eventlens.domain.stats_query import (
    Combination,
    Comparison,
    Condition,
    StatsQueryError,
    read_query,
    resolve_query,
)
from eventlens.domain.stats_query.comparisons import change, comparison_range, rows_filter
from eventlens.domain.stats_query.dates import TimeRange, days
from eventlens.domain.stats_query.resolved import ResolvedQuery
from eventlens.domain.stats_query.timeline import granularity, labels

TODAY = date(2021, 5, 5)


def resolved(
    timezone: str = "UTC", stats_start: date | None = None, **fields: Any
) -> ResolvedQuery:
    body = {"site_id": "dummy.site", "metrics": ["visitors"], "date_range": "all", **fields}
    return resolve_query(read_query(body), TODAY, timezone, stats_start)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("shorthand", "first", "last"),
    [
        ("day", "2021-05-05", "2021-05-05"),
        ("7d", "2021-04-28", "2021-05-04"),
        ("30d", "2021-04-05", "2021-05-04"),
        ("month", "2021-05-01", "2021-05-31"),
        ("6mo", "2020-11-01", "2021-04-30"),
        ("12mo", "2020-05-01", "2021-04-30"),
        ("year", "2021-01-01", "2021-12-31"),
    ],
)
def test_shorthands_are_whole_days_relative_to_today(shorthand: str, first: str, last: str) -> None:
    found = resolved(date_range=shorthand).time_range

    assert (found.first, found.last) == (utc(f"{first}T00:00:00"), utc(f"{last}T23:59:59"))


def test_all_starts_on_the_first_day_with_events_else_today() -> None:
    assert resolved(stats_start=date(2020, 1, 1)).time_range.first == utc("2020-01-01T00:00:00")
    assert resolved().time_range.first == utc("2021-05-05T00:00:00")


def test_days_are_the_site_zones_and_moments_keep_their_offset() -> None:
    tallinn = resolved("Europe/Tallinn", date_range=["2021-05-05", "2021-05-05"]).time_range
    moments = resolved(
        date_range=["2024-08-29T07:12:34-07:00", "2024-08-29T10:12:34-07:00"]
    ).time_range

    assert (tallinn.first, tallinn.last) == (utc("2021-05-04T21:00:00"), utc("2021-05-05T20:59:59"))
    assert tallinn.echoed() == ["2021-05-05T00:00:00+03:00", "2021-05-05T23:59:59+03:00"]
    assert (moments.first, moments.last) == (utc("2024-08-29T14:12:34"), utc("2024-08-29T17:12:34"))


@pytest.mark.parametrize(
    ("timezone", "day", "first", "last"),
    [
        # Clocks jump from 00:00 to 01:00: the day starts right after the gap.
        ("America/Santiago", "2022-09-11", "2022-09-11T04:00:00", "2022-09-12T02:59:59"),
        # 00:00 happens twice: the day starts at the later one.
        ("America/Havana", "2023-11-05", "2023-11-05T05:00:00", "2023-11-06T04:59:59"),
        # 23:59:59 happens twice: the day ends at the earlier one.
        ("America/Asuncion", "2024-03-23", "2024-03-23T03:00:00", "2024-03-24T02:59:59"),
    ],
)
def test_days_with_a_clock_change_start_and_end_as_plausibles(
    timezone: str, day: str, first: str, last: str
) -> None:
    found = days(date.fromisoformat(day), date.fromisoformat(day), timezone)

    assert (found.first, found.last) == (utc(first), utc(last))


def test_a_range_must_not_end_before_it_starts() -> None:
    with pytest.raises(StatsQueryError) as caught:
        resolved(date_range=["2021-05-05", "2021-05-01"])
    assert caught.value.field == "date_range"


@pytest.mark.parametrize(
    ("date_range", "bucket"),
    [
        ("day", "time:hour"),
        (["2021-05-01", "2021-05-02"], "time:hour"),
        ("7d", "time:day"),
        ("month", "time:day"),
        ("6mo", "time:week"),
        (["2019-01-01", "2021-05-05"], "time:month"),
    ],
)
def test_time_means_the_bucket_the_range_calls_for(date_range: Any, bucket: str) -> None:
    query = resolved(date_range=date_range, dimensions=["time"], order_by=[["time", "desc"]])

    assert query.dimensions == (bucket,)
    assert query.order_by == ((bucket, "desc"),)
    assert granularity(query.time_range) == bucket


def test_the_default_order_is_time_then_the_first_metric_descending() -> None:
    assert resolved(dimensions=["time:day"]).order_by == (("time:day", "asc"), ("visitors", "desc"))
    assert resolved(dimensions=["visit:source"]).order_by == (("visitors", "desc"),)


def test_a_host_filter_keeps_a_breakdown_by_source_to_visits_that_entered_on_the_host() -> None:
    host = ["is", "event:hostname", ["one.example.com"]]

    by_source = resolved(dimensions=["visit:source"], filters=[host])
    by_page = resolved(dimensions=["event:page"], filters=[host])

    assert by_source.filters[1] == Condition(
        "is", "visit:entry_page_hostname", ("one.example.com",)
    )
    assert len(by_page.filters) == 1


def period(first: str, last: str, timezone: str = "UTC") -> TimeRange:
    return days(date.fromisoformat(first), date.fromisoformat(last), timezone)


def test_labels_of_hours_days_weeks_and_months() -> None:
    assert labels("time:hour", period("2021-01-01", "2021-01-01"))[::23] == [
        "2021-01-01 00:00:00",
        "2021-01-01 23:00:00",
    ]
    assert labels("time:day", period("2021-01-01", "2021-01-03")) == [
        "2021-01-01",
        "2021-01-02",
        "2021-01-03",
    ]
    # A week starts on Monday, but never before the range.
    assert labels("time:week", period("2020-12-20", "2021-01-07")) == [
        "2020-12-20",
        "2020-12-21",
        "2020-12-28",
        "2021-01-04",
    ]
    assert labels("time:month", period("2020-07-15", "2020-09-01")) == [
        "2020-07-01",
        "2020-08-01",
        "2020-09-01",
    ]
    assert len(labels("time:day", period("2020-01-01", "2021-01-07"))) == 373


def test_hour_labels_are_in_the_site_zone() -> None:
    found = labels("time:hour", period("2021-01-02", "2021-01-02", "Asia/Kathmandu"))

    assert (found[0], found[-1], len(found)) == ("2021-01-02 00:00:00", "2021-01-02 23:00:00", 24)


def test_the_previous_period_is_as_long_and_just_before() -> None:
    week = period("2021-01-07", "2021-01-13")
    month = resolved(date_range="month").time_range

    previous = comparison_range(week, Comparison("previous_period"), TODAY)
    # A period reaching past today is compared up to today: May 1-5 with April 26-30.
    month_before = comparison_range(month, Comparison("previous_period"), TODAY)

    assert (previous.first_date, previous.last_date) == (date(2020, 12, 31), date(2021, 1, 6))
    assert (month_before.first_date, month_before.last_date) == (
        date(2021, 4, 26),
        date(2021, 4, 30),
    )


def test_year_over_year_custom_and_matching_the_day_of_week() -> None:
    week = period("2021-01-07", "2021-01-13")  # Thursday to Wednesday

    year_before = comparison_range(week, Comparison("year_over_year"), TODAY)
    custom = comparison_range(
        week, Comparison("custom", date_range=("2020-01-01", "2020-01-31")), TODAY
    )
    same_weekday = comparison_range(
        week, Comparison("previous_period", match_day_of_week=True), TODAY
    )

    assert (year_before.first_date, year_before.last_date) == (date(2020, 1, 8), date(2020, 1, 14))
    assert (custom.first_date, custom.last_date) == (date(2020, 1, 1), date(2020, 1, 31))
    assert same_weekday.first_date.weekday() == week.first_date.weekday()
    assert (same_weekday.first_date, same_weekday.last_date) == (
        date(2020, 12, 31),
        date(2021, 1, 6),
    )


def test_matching_the_day_of_week_moves_to_the_next_such_day_unless_it_is_the_main_start() -> None:
    month = resolved(date_range="month").time_range  # from Saturday, May 1st

    moved = comparison_range(month, Comparison("previous_period", match_day_of_week=True), TODAY)

    # April 26-30 would start on a Monday; the next Saturday is May 1st itself: the one before.
    assert (moved.first_date, moved.last_date) == (date(2021, 4, 24), date(2021, 4, 28))


@pytest.mark.parametrize(
    ("metric", "old", "new", "expected"),
    [
        ("pageviews", 3, 1, -67),
        ("visitors", 1, 3, 200),
        ("visitors", 0, 3, 100),
        ("visitors", 0, 0, 0),
        ("percentage", 12.5, 50.0, 300),
        ("percentage", 37.5, 16.7, -55),
        ("bounce_rate", 40, 55, 15),
        ("bounce_rate", 0, 55, None),
        ("time_on_page", None, 30, None),
        ("visitors", 2, 5, 150),
        ("visitors", 8, 9, 13),  # 12.5 rounds away from zero
    ],
)
def test_changes_are_whole_percentages_or_bounce_rate_points(
    metric: str, old: Any, new: Any, expected: Any
) -> None:
    assert change(metric, old, new) == expected


def test_a_comparison_keeps_to_the_main_rows_dimension_values_other_than_time() -> None:
    dimensions = ("time:day", "visit:browser", "visit:os")

    kept = rows_filter(
        dimensions,
        [
            ("2021-01-01", "Chrome", "Mac"),
            ("2021-01-02", "Chrome", "Mac"),
            ("2021-01-01", "Safari", "iOS"),
        ],
    )

    assert kept == Combination(
        "or",
        (
            Combination(
                "and",
                (
                    Condition("is", "visit:browser", ("Chrome",)),
                    Condition("is", "visit:os", ("Mac",)),
                ),
            ),
            Combination(
                "and",
                (
                    Condition("is", "visit:browser", ("Safari",)),
                    Condition("is", "visit:os", ("iOS",)),
                ),
            ),
        ),
    )
    assert rows_filter(("time:day",), [("2021-01-01",)]) is None
    assert rows_filter(("visit:browser",), []) is None
