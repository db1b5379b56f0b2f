"""The rules a well-formed query must also keep, checked in the order Plausible checks them
and refused with its messages."""

from __future__ import annotations

from eventlens.domain.stats_query.errors import StatsQueryError, shown
from eventlens.domain.stats_query.filters import dimensions_in, leaves, toplevel, walk
from eventlens.domain.stats_query.query import StatsQuery
from eventlens.domain.stats_query.regexes import check_patterns
from eventlens.domain.stats_query.vocabulary import (
    GOAL,
    METRIC_TABLES,
    METRICS,
    PROPS,
    SEGMENT,
    dimension_table,
    is_time,
)

UNSUPPORTED_DIMENSIONS = ("visit:exit_page_hostname",)
CONVERSION_METRICS = ("conversion_rate", "group_conversion_rate")


def validate(query: StatsQuery) -> None:
    _segments(query)
    _order_by(query)
    _toplevel_only(query)
    _conversion_filters(query)
    _behaviours(query)
    for metric in query.metrics:
        _metric(metric, query)
    _tables(query)
    if query.include.time_labels and not any(is_time(d) for d in query.dimensions):
        raise StatsQueryError(
            "Invalid include.time_labels: requires a time dimension.", field="include"
        )
    _supported(query)
    check_patterns(query.filters)


def _invalid_filters(message: str) -> StatsQueryError:
    return StatsQueryError(f"Invalid filters. {message}", field="filters")


def _segments(query: StatsQuery) -> None:
    if any(c.dimension == SEGMENT for c in leaves(query.filters)):
        raise _invalid_filters("Some segments don't exist or aren't accessible.")


def _order_by(query: StatsQuery) -> None:
    for value, direction in query.order_by or ():
        if value not in query.metrics and value not in query.dimensions:
            entry = f":{value}" if value in METRICS else shown(value)
            raise StatsQueryError(
                f"Invalid order_by entry '{{{entry}, :{direction}}}'. "
                "Entry is not a queried metric or dimension.",
                field="order_by",
            )


def _toplevel_only(query: StatsQuery) -> None:
    for dimension in dimensions_in(query.filters, min_depth=1, behavioural=False):
        if dimension in (GOAL, "event:hostname"):
            raise _invalid_filters(
                f"Dimension `{dimension}` can only be filtered at the top level."
            )


def _conversion_filters(query: StatsQuery) -> None:
    deep_props = any(d.startswith(PROPS) for d in dimensions_in(query.filters, min_depth=1))
    if deep_props and any(m in CONVERSION_METRICS for m in query.metrics):
        raise _invalid_filters(
            "When `conversion_rate` or `group_conversion_rate` metrics are used, custom "
            "property filters can only be used on top level."
        )


def _behaviours(query: StatsQuery) -> None:
    for condition, _, behaviours in walk(query.filters):
        if behaviours > 1:
            raise _invalid_filters("Behavioral filters (has_done, has_not_done) cannot be nested.")
        if behaviours == 1 and not condition.dimension.startswith("event:"):
            raise _invalid_filters(
                "Behavioral filters (has_done, has_not_done) can only be used with event "
                "dimension filters."
            )


def _filters_on(query: StatsQuery, dimension: str) -> bool:
    return dimension in dimensions_in(query.filters, behavioural=False)


def _metric(metric: str, query: StatsQuery) -> None:
    page_dimension = "event:page" in query.dimensions
    if metric in CONVERSION_METRICS and not (GOAL in query.dimensions or _filters_on(query, GOAL)):
        _refuse(metric, "can only be queried with event:goal filters or dimensions.")
    if metric == "scroll_depth" and not (
        page_dimension or toplevel(query.filters, "event:page") is not None
    ):
        _refuse(metric, "can only be queried with event:page filters or dimensions.")
    if metric == "time_on_page" and not (page_dimension or _filters_on(query, "event:page")):
        _refuse(metric, "can only be queried with event:page filters or dimensions.")
    if metric == "views_per_visit":
        if _filters_on(query, "event:page"):
            _refuse(metric, "cannot be queried with a filter on `event:page`.")
        if query.dimensions:
            _refuse(metric, "cannot be queried with `dimensions`.")


def _refuse(metric: str, rule: str) -> None:
    raise StatsQueryError(f"Metric `{metric}` {rule}", field="metrics")


def _tables(query: StatsQuery) -> None:
    event_metrics = [m for m in query.metrics if METRIC_TABLES[m] == "event"]
    session_metrics = [m for m in query.metrics if METRIC_TABLES[m] == "session"]
    event_dimensions = [d for d in query.dimensions if dimension_table(d) == "event"]
    session_dimensions = [d for d in query.dimensions if dimension_table(d) == "session"]
    if event_dimensions == ["event:page"]:
        return
    if session_metrics and event_dimensions:
        raise StatsQueryError(
            f"Session metric(s) {_listed(session_metrics)} cannot be queried along with "
            f"event dimension(s) {_listed(event_dimensions)}",
            field="metrics",
        )
    if event_metrics and session_dimensions:
        raise StatsQueryError(
            f"Event metric(s) {_listed(event_metrics)} cannot be queried along with "
            f"session dimension(s) {_listed(session_dimensions)}",
            field="metrics",
        )


def _listed(names: list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _supported(query: StatsQuery) -> None:
    used = [*query.dimensions, *dimensions_in(query.filters)]
    for dimension in UNSUPPORTED_DIMENSIONS:
        if dimension in used:
            raise StatsQueryError(
                f"Dimension `{dimension}` is not supported by EventLens: visits keep the "
                "entry page's host name only.",
                field="dimensions" if dimension in query.dimensions else "filters",
            )
