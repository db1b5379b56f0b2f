"""What a query engine is asked and what it answers: one grouped, ordered, paged breakdown
of metrics over a range (`Breakdown`), and its rows (`Page`)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from eventlens.domain.goals import Goal
from eventlens.domain.stats_query.dates import TimeRange
from eventlens.domain.stats_query.filters import Filter

# The metrics an engine computes; `percentage` and the conversion rates are derived from them.
ENGINE_METRICS = (
    "visitors",
    "visits",
    "pageviews",
    "events",
    "bounce_rate",
    "visit_duration",
    "views_per_visit",
    "time_on_page",
    "scroll_depth",
    "total_revenue",
    "average_revenue",
)


@dataclass(frozen=True)
class Site:
    """A site as the engine needs it: its adaptor, schema, time zone and goals."""

    container_id: str
    schema_id: str
    timezone: str = "UTC"
    goals: tuple[Goal, ...] = ()

    def goal(self, name: str) -> Goal | None:
        """The site's goal of that name (an event's name, or `Visit <path>`), if any."""
        return next((g for g in self.goals if g.name == name), None)


@dataclass(frozen=True)
class Breakdown:
    """`metrics` grouped by `dimensions` over `time_range`, rows matching `filters`, ordered by
    `order_by` (metrics or dimensions of the breakdown), `limit` rows from `offset`."""

    metrics: tuple[str, ...]
    dimensions: tuple[str, ...]
    filters: tuple[Filter, ...]
    time_range: TimeRange
    order_by: tuple[tuple[str, str], ...] = ()
    limit: int | None = None
    offset: int = 0

    def totals(self) -> Breakdown:
        """The same rows, not grouped: one row for the whole range."""
        return replace(self, dimensions=(), order_by=(), limit=None, offset=0)


@dataclass(frozen=True)
class Row:
    """One result row: dimension values as the API shows them (time buckets as labels) and
    each metric by name."""

    dimensions: tuple[str, ...]
    metrics: dict[str, Any]


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    total_rows: int  # before paging
