"""A Stats API query run through a `WebStatsQueries` engine, whatever the engine: the main
breakdown, `percentage` against the total, the comparison period, time labels and empty time
buckets, and the answer in Plausible's shape."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from eventlens.domain.stats_query import (
    ENGINE_METRICS,
    Breakdown,
    Page,
    ResolvedQuery,
    Row,
    Site,
    StatsQuery,
    resolve_query,
)
from eventlens.domain.stats_query.comparisons import (
    change,
    comparison_range,
    empty_metrics,
    rows_filter,
)
from eventlens.domain.stats_query.filters import Filter
from eventlens.domain.stats_query.goals import (
    check_goals,
    conversion_rate,
    revenue_currency,
    without_conversion_filters,
)
from eventlens.domain.stats_query.money import money
from eventlens.domain.stats_query.timeline import labels
from eventlens.domain.stats_query.vocabulary import GOAL
from eventlens.views.web_stats.port import WebStatsQueries

Result = dict[str, Any]


async def run_query(
    engine: WebStatsQueries, site: Site, query: StatsQuery, now: datetime
) -> Result:
    """Plausible's answer to `query` for `site`, `now` being the moment it is asked."""
    check_goals(query.filters, site.goals)
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    stats_start = await engine.first_day(site) if query.date_range.shorthand == "all" else None
    resolved = resolve_query(query, today, site.timezone, stats_start)
    main = await _page(engine, site, resolved, resolved.filters, paged=True)
    rows = [_listed(resolved, row) for row in main.rows]
    comparison = resolved.query.include.comparisons
    if comparison is not None:
        other = resolved.with_range(comparison_range(resolved.time_range, comparison, today))
        rows = await _compared(engine, site, resolved, other, main, rows)
    return {"results": rows, "meta": _meta(resolved, main), "query": resolved.echoed()}


async def _page(
    engine: WebStatsQueries,
    site: Site,
    resolved: ResolvedQuery,
    filters: tuple[Filter, ...],
    *,
    paged: bool,
    totals_filters: tuple[Filter, ...] | None = None,
) -> Page:
    """The engine's rows with the derived metrics added: `percentage` of the visitors of the
    same filters (less `totals_filters` extras) over the whole range, and the conversion
    rates against the visitors without the goal and custom-property filters (all of them,
    or those of the same group)."""
    metrics = resolved.metrics
    wanted = tuple(m for m in metrics if m in ENGINE_METRICS)
    if ("percentage" in metrics or not wanted) and "visitors" not in wanted:
        wanted = (*wanted, "visitors")
    if any(m in CONVERSION_RATES for m in metrics) and "visitors" not in wanted:
        wanted = (*wanted, "visitors")
    breakdown = Breakdown(
        metrics=wanted,
        dimensions=resolved.dimensions,
        filters=filters,
        time_range=resolved.time_range,
        order_by=tuple(
            (_engine_order(value), way)
            for value, way in resolved.order_by
            if value in ENGINE_METRICS
            or value in resolved.dimensions
            or value == "percentage"
            or value in CONVERSION_RATES
        ),
        limit=resolved.query.limit if paged else None,
        offset=resolved.query.offset if paged else 0,
    )
    # A site without goals: a breakdown by goal has no rows.
    no_rows = GOAL in resolved.dimensions and not site.goals
    page = Page([], 0) if no_rows else await engine.breakdown(site, breakdown)
    total = None
    if "percentage" in metrics:
        whole = replace(breakdown, metrics=("visitors",), filters=totals_filters or filters)
        totals = await engine.breakdown(site, whole.totals())
        total = totals.rows[0].metrics["visitors"] if totals.rows else 0
    rates = await _conversion_totals(engine, site, breakdown, metrics)
    derived = [
        Row(
            row.dimensions,
            {
                **row.metrics,
                **_derived(metrics, row, total, rates, breakdown),
                **_revenue(metrics, row, breakdown, site),
            },
        )
        for row in page.rows
    ]
    return Page(derived, page.total_rows)


CONVERSION_RATES = ("conversion_rate", "group_conversion_rate")


def _engine_order(value: str) -> str:
    """Rates are ordered as the visitors they are of (their denominator is one per query, or
    per group, where they are ordered within the group anyway)."""
    return "visitors" if value == "percentage" or value in CONVERSION_RATES else value


@dataclass(frozen=True)
class _Totals:
    """The visitors conversions are measured against: all (`conversion_rate`), and per
    group of the other dimensions (`group_conversion_rate`)."""

    all: int = 0
    groups: dict[tuple[str, ...], int] | None = None


async def _conversion_totals(
    engine: WebStatsQueries, site: Site, breakdown: Breakdown, metrics: tuple[str, ...]
) -> _Totals:
    if not any(m in CONVERSION_RATES for m in metrics):
        return _Totals()
    unconverted = replace(
        breakdown,
        metrics=("visitors",),
        filters=without_conversion_filters(breakdown.filters),
        order_by=(),
        limit=None,
        offset=0,
    )
    found = await engine.breakdown(site, unconverted.totals())
    everyone = found.rows[0].metrics["visitors"] if found.rows else 0
    groups = None
    if "group_conversion_rate" in metrics:
        others = tuple(d for d in breakdown.dimensions if d != GOAL)
        if others:
            grouped = await engine.breakdown(site, replace(unconverted, dimensions=others))
            groups = {row.dimensions: row.metrics["visitors"] for row in grouped.rows}
    return _Totals(everyone, groups)


def _derived(
    metrics: tuple[str, ...], row: Row, total: int | None, rates: _Totals, breakdown: Breakdown
) -> dict[str, Any]:
    found: dict[str, Any] = {}
    if "percentage" in metrics:
        visitors = row.metrics["visitors"]
        found["percentage"] = round(visitors / total * 100, 1) if total else None
    if "conversion_rate" in metrics:
        found["conversion_rate"] = conversion_rate(row.metrics["visitors"], rates.all)
    if "group_conversion_rate" in metrics:
        group_total = rates.all
        if rates.groups is not None:
            key = tuple(
                value
                for d, value in zip(breakdown.dimensions, row.dimensions, strict=True)
                if d != GOAL
            )
            group_total = rates.groups.get(key, 0)
        found["group_conversion_rate"] = conversion_rate(row.metrics["visitors"], group_total)
    return found


REVENUE_METRICS = ("total_revenue", "average_revenue")


def _revenue(
    metrics: tuple[str, ...], row: Row, breakdown: Breakdown, site: Site
) -> dict[str, Any]:
    """Revenue in Plausible's shape, in the currency of the row's goal (a breakdown by goal)
    or of the revenue goals filtered on; None where there is no one currency."""
    wanted = [m for m in metrics if m in REVENUE_METRICS]
    if not wanted:
        return {}
    if GOAL in breakdown.dimensions:
        goal = site.goal(row.dimensions[breakdown.dimensions.index(GOAL)])
        currency = goal.currency if goal is not None else None
    else:
        currency = revenue_currency(breakdown.filters, site.goals)
    return {m: money(row.metrics.get(m), currency) for m in wanted}


def _listed(resolved: ResolvedQuery, row: Row) -> Result:
    return {
        "metrics": [row.metrics[m] for m in resolved.metrics],
        "dimensions": list(row.dimensions),
    }


async def _compared(
    engine: WebStatsQueries,
    site: Site,
    main: ResolvedQuery,
    other: ResolvedQuery,
    page: Page,
    rows: list[Result],
) -> list[Result]:
    """Each row with its comparison: the other period's metrics for the same dimension values
    (time buckets matched in order), and the change."""
    keep = rows_filter(main.dimensions, [row.dimensions for row in page.rows])
    filters = main.filters if keep is None else (*main.filters, keep)
    compared = await _page(engine, site, other, filters, paged=False, totals_filters=main.filters)
    time_dimension = main.time_dimension
    lookup: dict[str, str] = {}
    if time_dimension is not None:
        lookup = dict(
            zip(
                labels(time_dimension, main.time_range),
                labels(time_dimension, other.time_range),
                strict=False,
            )
        )
        if main.dimensions == (time_dimension,):
            rows = _with_empty_buckets(main, rows, time_dimension)
    found: dict[tuple[Any, ...], dict[str, Any]] = {
        tuple(row.dimensions): row.metrics for row in compared.rows
    }
    for row in rows:
        dimensions = [
            lookup.get(value) if d == time_dimension else value
            for d, value in zip(main.dimensions, row["dimensions"], strict=True)
        ]
        metrics = found.get(tuple(dimensions))
        values = [metrics[m] for m in main.metrics] if metrics else empty_metrics(main.metrics)
        row["comparison"] = {
            "dimensions": dimensions,
            "metrics": values,
            "change": [
                change(metric, old, new)
                for metric, old, new in zip(main.metrics, values, row["metrics"], strict=True)
            ],
        }
    return rows


def _with_empty_buckets(
    main: ResolvedQuery, rows: list[Result], time_dimension: str
) -> list[Result]:
    """A time series compared with another period shows every bucket, empty ones as zeros."""
    present = {row["dimensions"][0] for row in rows}
    every = labels(time_dimension, main.time_range)
    rows = rows + [
        {"metrics": empty_metrics(main.metrics), "dimensions": [label]}
        for label in every
        if label not in present
    ]
    if main.order_by and main.order_by[0][0] == time_dimension:
        rows.sort(key=lambda row: str(row["dimensions"][0]), reverse=main.order_by[0][1] == "desc")
    return rows


def _meta(resolved: ResolvedQuery, page: Page) -> Result:
    include = resolved.query.include
    meta: Result = {}
    if include.imports:
        meta["imports_included"] = False
        meta["imports_skip_reason"] = "no_imported_data"
    if include.time_labels and resolved.time_dimension is not None:
        meta["time_labels"] = labels(resolved.time_dimension, resolved.time_range)
    if include.total_rows:
        meta["total_rows"] = page.total_rows
    return meta
