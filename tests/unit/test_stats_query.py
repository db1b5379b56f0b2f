"""A Stats API v2 request read as Plausible reads it: each field's valid forms, and each
invalid one refused with Plausible's message naming the field or value."""

from __future__ import annotations

from typing import Any

import pytest

from eventlens.domain.stats_query import (
    Behaviour,
    Combination,
    Comparison,
    Condition,
    Not,
    StatsQuery,
    StatsQueryError,
    read_query,
)
from eventlens.domain.stats_query.dates import DateRangeSpec

BASE: dict[str, Any] = {"site_id": "dummy.site", "metrics": ["visitors"], "date_range": "all"}


def read(**fields: Any) -> StatsQuery:
    return read_query({**BASE, **fields})


def refused(**fields: Any) -> StatsQueryError:
    with pytest.raises(StatsQueryError) as caught:
        read(**fields)
    return caught.value


def refusal(**fields: Any) -> str:
    return refused(**fields).message


# The body and its required fields


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "#: Type mismatch. Expected Object but got Array."),
        (
            {"metrics": ["visitors"], "date_range": "7d"},
            "#: Required property site_id was not present.",
        ),
        ({"metrics": ["visitors"]}, "#: Required properties site_id, date_range were not present."),
        ({**BASE, "date": "2021-01-01"}, "#/date: Schema does not allow additional properties."),
        ({**BASE, "site_id": 12}, "#/site_id: Type mismatch. Expected String but got Integer."),
    ],
    ids=["not an object", "no site", "two missing", "unknown field", "site not a string"],
)
def test_the_body_must_be_an_object_with_the_required_fields(body: Any, message: str) -> None:
    with pytest.raises(StatsQueryError) as caught:
        read_query(body)

    assert caught.value.message == message


def test_a_minimal_query_takes_the_defaults() -> None:
    query = read()

    assert query.metrics == ("visitors",)
    assert query.date_range == DateRangeSpec(shorthand="all")
    assert (query.dimensions, query.filters, query.order_by) == ((), (), None)
    assert (query.limit, query.offset) == (10_000, 0)
    assert query.include.to_json() == {}


def test_a_nul_character_anywhere_is_refused() -> None:
    assert "NUL" in refusal(filters=[["is", "event:page", ["/a\x00"]]])


# metrics


def test_every_metric_of_the_api_is_read_in_order() -> None:
    metrics = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate"]
    assert read(metrics=[*metrics, "visit_duration", "events"]).metrics[:5] == tuple(metrics)


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ("visitors", "#/metrics: Type mismatch. Expected Array but got String."),
        ([], "#/metrics: Expected a minimum of 1 items but got 0."),
        (["visitors", "baa"], '#/metrics/1: Invalid metric "baa"'),
        (
            ["events", "visitors", "visitors"],
            "#/metrics: Expected items to be unique but they were not.",
        ),
    ],
    ids=["not a list", "empty", "unknown", "repeated"],
)
def test_invalid_metrics_are_named(metrics: Any, message: str) -> None:
    assert refusal(metrics=metrics) == message


def test_an_invalid_metric_names_its_place_as_the_field() -> None:
    assert refused(metrics=["visitors", "baa"]).field == "#/metrics/1"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"metrics": ["conversion_rate"]},
            "Metric `conversion_rate` can only be queried with event:goal filters or dimensions.",
        ),
        (
            {"metrics": ["scroll_depth"]},
            "Metric `scroll_depth` can only be queried with event:page filters or dimensions.",
        ),
        (
            {"metrics": ["scroll_depth"], "filters": [["not", ["is", "event:page", ["/"]]]]},
            "Metric `scroll_depth` can only be queried with event:page filters or dimensions.",
        ),
        (
            {"metrics": ["time_on_page"]},
            "Metric `time_on_page` can only be queried with event:page filters or dimensions.",
        ),
        (
            {"metrics": ["time_on_page"], "filters": [["has_done", ["is", "event:page", ["/"]]]]},
            "Metric `time_on_page` can only be queried with event:page filters or dimensions.",
        ),
        (
            {"metrics": ["views_per_visit"], "filters": [["is", "event:page", ["/"]]]},
            "Metric `views_per_visit` cannot be queried with a filter on `event:page`.",
        ),
        (
            {"metrics": ["views_per_visit"], "dimensions": ["event:name"]},
            "Metric `views_per_visit` cannot be queried with `dimensions`.",
        ),
        (
            {"metrics": ["bounce_rate"], "dimensions": ["event:props:foo"]},
            "Session metric(s) `bounce_rate` cannot be queried along with event dimension(s) "
            "`event:props:foo`",
        ),
        (
            {"metrics": ["events"], "dimensions": ["visit:exit_page"]},
            "Event metric(s) `events` cannot be queried along with session dimension(s) "
            "`visit:exit_page`",
        ),
    ],
    ids=[
        "conversion without goal",
        "scroll depth alone",
        "scroll depth under not",
        "time on page alone",
        "time on page behavioural only",
        "views per visit by page",
        "views per visit with dimensions",
        "session metric by event",
        "event metric by exit",
    ],
)
def test_metrics_that_need_or_exclude_dimensions_or_filters(
    fields: dict[str, Any], message: str
) -> None:
    assert refusal(**fields) == message


@pytest.mark.parametrize(
    "fields",
    [
        {"metrics": ["scroll_depth"], "filters": [["is", "event:page", ["/"]]]},
        {"metrics": ["time_on_page", "scroll_depth"], "dimensions": ["event:page"]},
        {"metrics": ["time_on_page"], "filters": [["not", ["is", "event:page", ["/"]]]]},
        {"metrics": ["bounce_rate"], "dimensions": ["event:page"]},
        {"metrics": ["bounce_rate"], "filters": [["is", "event:props:foo", ["(none)"]]]},
        {"metrics": ["visitors", "percentage"], "dimensions": ["visit:device"]},
    ],
    ids=[
        "scroll by page filter",
        "by page",
        "time on page under not",
        "bounce by page",
        "bounce by event filter",
        "percentage",
    ],
)
def test_metrics_with_what_they_need_are_read(fields: dict[str, Any]) -> None:
    assert read(**fields).metrics == tuple(fields["metrics"])


# date_range


@pytest.mark.parametrize(
    "shorthand", ["day", "7d", "28d", "30d", "91d", "month", "6mo", "12mo", "year", "all"]
)
def test_every_documented_shorthand_is_read(shorthand: str) -> None:
    assert read(date_range=shorthand).date_range == DateRangeSpec(shorthand=shorthand)


def test_two_dates_or_two_moments_with_offsets_are_read() -> None:
    dates = read(date_range=["2024-01-01", "2024-07-01"]).date_range
    moments = read(date_range=["2024-01-01T12:00:00+02:00", "2024-01-01T15:59:59Z"]).date_range

    assert dates.dates is not None and str(dates.dates[1]) == "2024-07-01"
    assert moments.moments is not None
    assert [m.isoformat() for m in moments.moments] == [
        "2024-01-01T12:00:00+02:00",
        "2024-01-01T15:59:59+00:00",
    ]


@pytest.mark.parametrize(
    ("date_range", "message"),
    [
        ("bad_period", '#/date_range: Invalid date range "bad_period"'),
        ("-1d", '#/date_range: Invalid date range "-1d"'),
        ("10d", '#/date_range: Invalid date range "10d"'),
        (["21415-00", "eee"], '#/date_range: Invalid date range ["21415-00", "eee"]'),
        (
            ["2021-02-03T00:00:00Z", "2021-02-04"],
            '#/date_range: Invalid date range ["2021-02-03T00:00:00Z", "2021-02-04"]',
        ),
        (
            ["2021-02-03T00:00:00-25:00", "2021-02-03T23:59:59-25:00"],
            '#/date_range: Invalid date range ["2021-02-03T00:00:00-25:00", '
            '"2021-02-03T23:59:59-25:00"]',
        ),
        (
            ["2021-02-03T00:00:00", "2021-02-03T23:59:59"],
            'Invalid date_range \'["2021-02-03T00:00:00", "2021-02-03T23:59:59"]\'.',
        ),
        (
            ["2021-02-30", "2021-03-01"],
            '#/date_range: Invalid date range ["2021-02-30", "2021-03-01"]',
        ),
        (
            ["1000-01-01", "2021-03-01"],
            'Invalid date_range \'["1000-01-01", "2021-03-01"]\': dates must be between the years '
            "1900 and 9000.",
        ),
    ],
    ids=[
        "unknown",
        "negative",
        "undocumented days",
        "not dates",
        "date and moment",
        "offset out of range",
        "no offset",
        "no such day",
        "too early",
    ],
)
def test_invalid_date_ranges_are_named(date_range: Any, message: str) -> None:
    assert refusal(date_range=date_range) == message


# dimensions


@pytest.mark.parametrize(
    "dimension",
    [
        "event:page",
        "event:name",
        "event:hostname",
        "event:goal",
        "event:props:plan",
        "visit:source",
        "visit:channel",
        "visit:referrer",
        "visit:utm_campaign",
        "visit:device",
        "visit:browser_version",
        "visit:os_version",
        "visit:country_name",
        "visit:region",
        "visit:city_name",
        "visit:entry_page",
        "visit:exit_page",
        "time",
        "time:hour",
        "time:day",
        "time:week",
        "time:month",
    ],
)
def test_every_dimension_is_read(dimension: str) -> None:
    assert read(dimensions=[dimension]).dimensions == (dimension,)


@pytest.mark.parametrize(
    ("dimensions", "message"),
    [
        ("foobar", "#/dimensions: Type mismatch. Expected Array but got String."),
        (["badproperty"], '#/dimensions/0: Invalid dimension "badproperty"'),
        (["visitors"], '#/dimensions/0: Invalid dimension "visitors"'),
        (["event:props:"], '#/dimensions/0: Invalid dimension "event:props:"'),
        (["time:minute"], '#/dimensions/0: Invalid dimension "time:minute"'),
        (
            ["event:name", "event:name"],
            "#/dimensions: Expected items to be unique but they were not.",
        ),
    ],
    ids=["not a list", "unknown", "a metric", "unnamed property", "minutes", "repeated"],
)
def test_invalid_dimensions_are_named(dimensions: Any, message: str) -> None:
    assert refusal(dimensions=dimensions) == message


def test_the_exit_page_host_is_refused_as_not_kept() -> None:
    error = refused(dimensions=["visit:exit_page_hostname"])

    assert "visit:exit_page_hostname" in error.message and error.field == "dimensions"


# filters


@pytest.mark.parametrize(
    "operator", ["is", "is_not", "contains", "contains_not", "matches", "matches_not"]
)
def test_each_operator_is_read(operator: str) -> None:
    (condition,) = read(filters=[[operator, "event:name", ["foo"]]]).filters

    assert condition == Condition(operator, "event:name", ("foo",))


def test_and_or_not_and_behaviours_nest() -> None:
    filters = [
        [
            "or",
            [
                [
                    "and",
                    [
                        ["is", "visit:city_name", ["Tallinn"]],
                        ["is", "visit:country_name", ["Estonia"]],
                    ],
                ],
                ["not", ["is", "visit:country_name", ["Estonia"]]],
            ],
        ],
        ["has_not_done", ["is", "event:page", ["/signup"]]],
    ]

    found = read(filters=filters).filters

    assert found == (
        Combination(
            "or",
            (
                Combination(
                    "and",
                    (
                        Condition("is", "visit:city_name", ("Tallinn",)),
                        Condition("is", "visit:country_name", ("Estonia",)),
                    ),
                ),
                Not(Condition("is", "visit:country_name", ("Estonia",))),
            ),
        ),
        Behaviour("has_not_done", Condition("is", "event:page", ("/signup",))),
    )
    assert [f.to_json() for f in found] == filters


@pytest.mark.parametrize("operator", ["is", "is_not", "contains", "contains_not"])
def test_the_case_sensitive_modifier_is_read_and_echoed(operator: str) -> None:
    (condition,) = read(
        filters=[[operator, "event:page", ["/foo"], {"case_sensitive": False}]]
    ).filters

    assert isinstance(condition, Condition) and condition.ignores_case
    assert condition.to_json() == [operator, "event:page", ["/foo"], {"case_sensitive": False}]


def test_city_filters_take_numbers_and_country_filters_codes() -> None:
    assert read(filters=[["is", "visit:city", [588409]]]).filters[0] == Condition(
        "is", "visit:city", (588409,)
    )
    assert read(filters=[["contains", "visit:country", ["E"]]]).filters


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ("foobar", "#/filters: Type mismatch. Expected Array but got String."),
        (
            [["exists?", "event:name", ["foo"]]],
            '#/filters/0: Invalid filter ["exists?", "event:name", ["foo"]]',
        ),
        ([["is", "event:name", "foo"]], '#/filters/0: Invalid filter ["is", "event:name", "foo"]'),
        (
            [["is", "event:device", ["foo"]]],
            '#/filters/0: Invalid filter ["is", "event:device", ["foo"]]',
        ),
        (
            [["is", "time:day", ["2021-01-01"]]],
            '#/filters/0: Invalid filter ["is", "time:day", ["2021-01-01"]]',
        ),
        ([["and", []]], '#/filters/0: Invalid filter ["and", []]'),
        ([["not"]], '#/filters/0: Invalid filter ["not"]'),
        ([["is_not", "event:name"]], '#/filters/0: Invalid filter ["is_not", "event:name"]'),
        (
            [["not", ["is", "event:props:a", ["v"]], 1]],
            '#/filters/0: Invalid filter ["not", ["is", "event:props:a", ["v"]], 1]',
        ),
        (
            [["is", "event:name", [True]]],
            '#/filters/0: Invalid filter ["is", "event:name", [true]]',
        ),
        (
            [["matches", "event:hostname", ["a"], {"case_sensitive": False}]],
            '#/filters/0: Invalid filter ["matches", "event:hostname", ["a"], %{"case_sensitive" '
            "=> false}]",
        ),
        (
            [["is", "event:page", ["/"], {"case_sensitive": "no"}]],
            '#/filters/0: Invalid filter ["is", "event:page", ["/"], %{"case_sensitive" => "no"}]',
        ),
        (
            [["matches", "event:goal", ["Sign.*"]]],
            '#/filters/0: Invalid filter ["matches", "event:goal", ["Sign.*"]]',
        ),
        (
            [["is", "visit:os_version", [123]]],
            'Invalid filter \'["is", "visit:os_version", [123]]\'.',
        ),
        (
            [["is", "visit:country", ["USA"]]],
            "Invalid visit:country filter, visit:country needs to be a valid 2-letter country "
            "code.",
        ),
    ],
    ids=[
        "not a list",
        "unknown operator",
        "clauses not a list",
        "unknown dimension",
        "time",
        "empty and",
        "bare not",
        "no clauses",
        "too long",
        "boolean clause",
        "case modifier on a pattern",
        "modifier not boolean",
        "goal by pattern",
        "number",
        "country name as code",
    ],
)
def test_invalid_filters_are_named(filters: Any, message: str) -> None:
    assert refusal(filters=filters) == message


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (
            [["not", ["is", "event:hostname", ["a.example"]]]],
            "Invalid filters. Dimension `event:hostname` can only be filtered at the top level.",
        ),
        (
            [["or", [["is", "event:goal", ["Signup"]], ["is", "event:name", ["pageview"]]]]],
            "Invalid filters. Dimension `event:goal` can only be filtered at the top level.",
        ),
        (
            [["has_done", ["is", "visit:browser", ["Chrome"]]]],
            "Invalid filters. Behavioral filters (has_done, has_not_done) can only be used with "
            "event dimension filters.",
        ),
        (
            [["has_done", ["has_not_done", ["is", "visit:browser", ["Chrome"]]]]],
            "Invalid filters. Behavioral filters (has_done, has_not_done) cannot be nested.",
        ),
        (
            [["is", "segment", [1]]],
            "Invalid filters. Some segments don't exist or aren't accessible.",
        ),
    ],
    ids=[
        "host under not",
        "goal under or",
        "visit in behaviour",
        "nested behaviours",
        "segment",
    ],
)
def test_filters_break_plausibles_rules(filters: Any, message: str) -> None:
    assert refusal(filters=filters) == message


def test_filters_nest_at_most_sixteen_levels() -> None:
    condition: list[Any] = ["is", "event:page", ["/"]]
    deep = condition
    for _ in range(16):
        deep = ["not", deep]
    shallow = condition
    for _ in range(15):
        shallow = ["not", shallow]

    assert read(filters=[shallow]).filters
    assert refusal(filters=[deep]) == "Invalid filters. Filters may nest at most 16 levels deep."


def test_a_pattern_re2_cannot_run_is_refused_naming_it() -> None:
    message = refusal(filters=[["matches", "event:page", ["^(a)\\1$"]]])

    assert message.startswith(
        'Invalid filter \'["matches", "event:page", ["^(a)\\\\1$"]]\': the pattern'
    )
    assert "not valid RE2 syntax" in message


# order_by, include, pagination


def test_order_by_names_queried_metrics_and_dimensions() -> None:
    query = read(
        metrics=["visitors", "events"],
        dimensions=["event:name"],
        order_by=[["events", "desc"], ["event:name", "asc"]],
    )

    assert query.order_by == (("events", "desc"), ("event:name", "asc"))


@pytest.mark.parametrize(
    ("order_by", "message"),
    [
        ([["visssss", "desc"]], '#/order_by/0/0: Invalid value in order_by "visssss"'),
        ([["visitors", "up"]], '#/order_by/0/1: Value "up" is not allowed in enum.'),
        ([["visitors"]], "#/order_by/0: Expected a minimum of 2 items but got 1."),
        (
            [["events", "desc"]],
            "Invalid order_by entry '{:events, :desc}'. Entry is not a queried metric or "
            "dimension.",
        ),
        (
            [["event:name", "desc"]],
            "Invalid order_by entry '{\"event:name\", :desc}'. Entry is not a queried metric or "
            "dimension.",
        ),
    ],
    ids=["unknown", "direction", "short", "metric not queried", "dimension not queried"],
)
def test_invalid_order_by_is_named(order_by: Any, message: str) -> None:
    assert refusal(order_by=order_by) == message


def test_include_is_read() -> None:
    query = read(
        dimensions=["time"],
        include={
            "time_labels": True,
            "total_rows": True,
            "imports": True,
            "comparisons": {"mode": "previous_period", "match_day_of_week": True},
        },
    )

    assert (query.include.time_labels, query.include.total_rows, query.include.imports) == (
        True,
        True,
        True,
    )
    assert query.include.comparisons == Comparison("previous_period", match_day_of_week=True)
    custom = read(
        include={"comparisons": {"mode": "custom", "date_range": ["2024-01-01", "2024-01-31"]}}
    )
    assert custom.include.comparisons == Comparison(
        "custom", date_range=("2024-01-01", "2024-01-31")
    )


@pytest.mark.parametrize(
    ("include", "message"),
    [
        ("foobar", "#/include: Type mismatch. Expected Object but got String."),
        ({"labels": True}, "#/include/labels: Schema does not allow additional properties."),
        (
            {"total_rows": "yes"},
            "#/include/total_rows: Type mismatch. Expected Boolean but got String.",
        ),
        ({"time_labels": True}, "Invalid include.time_labels: requires a time dimension."),
        (
            {"comparisons": {"mode": "custom"}},
            "#/include/comparisons: Expected exactly one of the schemata to match, but none of "
            "them did.",
        ),
        (
            {
                "comparisons": {
                    "mode": "previous_period",
                    "date_range": ["2024-01-01", "2024-01-31"],
                }
            },
            "#/include/comparisons: Expected exactly one of the schemata to match, but none of "
            "them did.",
        ),
    ],
    ids=[
        "not an object",
        "unknown",
        "not boolean",
        "labels without time",
        "custom without range",
        "range without custom",
    ],
)
def test_invalid_include_is_named(include: Any, message: str) -> None:
    assert refusal(include=include) == message


def test_pagination_is_read() -> None:
    query = read(pagination={"limit": 100, "offset": 200})

    assert (query.limit, query.offset) == (100, 200)


@pytest.mark.parametrize(
    ("pagination", "message"),
    [
        ({"limit": 100_000}, "#/pagination/limit: Expected the value to be <= 10000"),
        ({"limit": 0}, "#/pagination/limit: Expected the value to be >= 1"),
        ({"offset": -5}, "#/pagination/offset: Expected the value to be >= 0"),
        ({"limit": "10"}, "#/pagination/limit: Type mismatch. Expected Integer but got String."),
        ({"page": 2}, "#/pagination/page: Schema does not allow additional properties."),
    ],
    ids=["limit too high", "limit zero", "negative offset", "limit not a number", "unknown"],
)
def test_invalid_pagination_is_named(pagination: Any, message: str) -> None:
    assert refusal(pagination=pagination) == message
