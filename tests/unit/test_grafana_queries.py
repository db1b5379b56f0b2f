"""The dashboards' SQL is built as Grafana builds it: its PostgreSQL macros expand as in
Grafana's own tests, and variables are quoted as its SQL data sources quote them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.grafana_queries import (
    ALL,
    GrafanaQueryError,
    Option,
    Selection,
    TimeRange,
    Variable,
    expand_macros,
    format_interval,
    go_float,
    options_from,
    replace_variables,
)

START = datetime(2018, 4, 12, 18, 0, tzinfo=UTC)
FIVE_MINUTES = TimeRange(START, START + timedelta(minutes=5))
HOUR = timedelta(hours=1)


def expand(sql: str, interval: timedelta = HOUR) -> str:
    return expand_macros(sql, FIVE_MINUTES, interval)


def test_the_time_filter_and_bounds_are_utc_rfc3339_literals() -> None:
    assert expand("WHERE $__timeFilter(time_column)") == (
        "WHERE time_column BETWEEN '2018-04-12T18:00:00Z' AND '2018-04-12T18:05:00Z'"
    )
    assert expand("select $__timeFrom(), $__timeTo()") == (
        "select '2018-04-12T18:00:00Z', '2018-04-12T18:05:00Z'"
    )
    half_second = TimeRange(START + timedelta(milliseconds=500), START + HOUR)
    assert expand_macros("$__timeFrom()", half_second, HOUR) == "'2018-04-12T18:00:00.5Z'"


def test_time_groups_are_epoch_buckets_in_seconds() -> None:
    assert expand("SELECT $__timeGroup(time_column,'5m')") == (
        "SELECT floor(extract(epoch from time_column)/300)*300"
    )
    assert expand("$__timeGroupAlias(time_column , '5m')") == (
        'floor(extract(epoch from time_column)/300)*300 AS "time"'
    )
    assert expand("$__timeGroup(t, '12d')") == "floor(extract(epoch from t)/1.0368e+06)*1.0368e+06"
    assert expand("$__timeGroup(t, '20ms')") == "floor(extract(epoch from t)/0.02)*0.02"


def test_a_time_group_followed_by_a_comma_gets_its_alias_as_before_grafana_5_3() -> None:
    assert expand("SELECT $__timeGroup(time_column,'5m'), value") == (
        'SELECT floor(extract(epoch from time_column)/300)*300 AS "time", value'
    )


def test_the_interval_is_the_panels_in_grafanas_units() -> None:
    assert expand("$__timeGroupAlias(t, $__interval)", timedelta(minutes=90)) == (
        'floor(extract(epoch from t)/3600)*3600 AS "time"'
    )
    assert expand("$__interval_ms") == "3600000"
    assert [format_interval(timedelta(seconds=s)) for s in (0.0001, 30, 600, 86400 * 8)] == [
        "1ms",
        "30s",
        "10m",
        "8d",
    ]


@pytest.mark.parametrize(
    ("seconds", "printed"),
    [(300.0, "300"), (86400.0, "86400"), (604800.0, "604800"), (1e6, "1e+06"), (0.5, "0.5")],
)
def test_seconds_are_printed_as_go_prints_a_float(seconds: float, printed: str) -> None:
    assert go_float(seconds) == printed


@pytest.mark.parametrize("sql", ["$__timeFilterish(x)", "$__unixEpochGroup(t, '5m')"])
def test_an_unknown_or_unemulated_macro_fails(sql: str) -> None:
    with pytest.raises(GrafanaQueryError, match="macro"):
        expand(sql)


def test_a_time_group_with_a_fill_or_a_bad_interval_fails() -> None:
    with pytest.raises(GrafanaQueryError, match="fill"):
        expand("$__timeGroup(t, '5m', 0)")
    with pytest.raises(GrafanaQueryError, match="interval"):
        expand("$__timeGroup(t, 'soon')")


SITE = Variable("site", "SELECT 1")
SCHEMA = Variable("schema", "SELECT 1", include_all=True, all_value="'All'")
PAGES = Variable("page", "SELECT 1", include_all=True, multi=True)


def test_a_single_value_variable_is_inserted_with_its_quotes_doubled() -> None:
    chosen = {"site": Selection(SITE, "O'Brien's")}
    assert replace_variables("site = '$site'", chosen) == "site = 'O''Brien''s'"
    assert replace_variables("site = ${site:sqlstring}", chosen) == "site = 'O''Brien''s'"


def test_a_variable_with_an_all_option_is_quoted_and_its_custom_all_value_is_not() -> None:
    one = {"schema": Selection(SCHEMA, "shop")}
    every = {"schema": Selection(SCHEMA, ALL)}
    assert replace_variables("'$schema'", one) == "''shop''"  # Grafana quotes it already
    assert replace_variables("$schema", one) == "'shop'"
    assert replace_variables("${schema:sqlstring}", every) == "'All'"


def test_all_without_a_custom_value_is_every_option_quoted() -> None:
    options = (Option("/", "/"), Option("/a", "/a"))
    every = {"page": Selection(PAGES, ALL, options)}
    assert replace_variables("path IN ($page)", every) == "path IN ('/','/a')"


def test_grafanas_own_names_are_left_for_the_server_and_unknown_ones_fail() -> None:
    assert replace_variables("$__timeFilter(t) $__interval", {}) == "$__timeFilter(t) $__interval"
    with pytest.raises(GrafanaQueryError, match="unknown variable"):
        replace_variables("'$sight'", {"site": Selection(SITE, "x")})


def test_options_are_text_and_value_columns_one_per_text() -> None:
    assert options_from(["__text", "__value"], [("Shop", "CAP-1"), ("Shop", "CAP-2")]) == (
        Option("Shop", "CAP-1"),
    )
    assert options_from(["name"], [("a",), ("b",)]) == (Option("a", "a"), Option("b", "b"))
