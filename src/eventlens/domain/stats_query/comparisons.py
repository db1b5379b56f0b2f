"""Comparing a query with another period: the period, the filter that keeps the comparison
to the rows the main query found, and each metric's change, as Plausible computes them."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from eventlens.domain.stats_query.dates import (
    TimeRange,
    days,
    matching_day_of_week,
    previous_period,
    year_over_year,
)
from eventlens.domain.stats_query.filters import Combination, Condition, Filter
from eventlens.domain.stats_query.query import Comparison
from eventlens.domain.stats_query.vocabulary import is_time


def comparison_range(main: TimeRange, comparison: Comparison, today: date) -> TimeRange:
    if comparison.mode == "custom" and comparison.date_range is not None:
        first, last = (date.fromisoformat(v) for v in comparison.date_range)
        return days(first, last, main.timezone)
    if comparison.mode == "year_over_year":
        period = year_over_year(main, today)
    else:
        period = previous_period(main, today)
    if comparison.match_day_of_week:
        period = matching_day_of_week(period, main.first_date)
    return days(period[0], period[1], main.timezone)


def rows_filter(dimensions: tuple[str, ...], rows: list[tuple[str, ...]]) -> Filter | None:
    """Rows with the same values as `rows` in the dimensions other than time, or None when
    there is nothing to keep the comparison to."""
    kept = [(i, d) for i, d in enumerate(dimensions) if not is_time(d)]
    if not kept or not rows:
        return None
    alternatives: list[Filter] = []
    for values in dict.fromkeys(tuple(row[i] for i, _ in kept) for row in rows):
        conditions = tuple(
            Condition("is", dimension, (value,))
            for (_, dimension), value in zip(kept, values, strict=True)
        )
        alternatives.append(
            conditions[0] if len(conditions) == 1 else Combination("and", conditions)
        )
    return alternatives[0] if len(alternatives) == 1 else Combination("or", tuple(alternatives))


def half_away(value: float, digits: int = 0) -> float:
    """Rounded half away from zero (as Elixir's `round`), not to even (as Python's)."""
    scale: int = 10**digits
    return math.copysign(math.floor(abs(value) * scale + 0.5), value) / scale


def change(metric: str, old: Any, new: Any) -> Any:
    if isinstance(old, dict) or isinstance(new, dict):  # revenue: compare the amounts
        old = old["value"] if isinstance(old, dict) else old
        new = new["value"] if isinstance(new, dict) else new
    if old is None or new is None:
        return None
    if metric == "bounce_rate":
        return new - old if old > 0 else None
    if metric in ("conversion_rate", "group_conversion_rate"):
        return half_away(new - old, 1)
    if old == 0:
        return 100 if new > 0 else 0
    return int(half_away((new - old) / old * 100))


def empty_metrics(metrics: tuple[str, ...]) -> list[Any]:
    return [0 for _ in metrics]
