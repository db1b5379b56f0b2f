"""A query made concrete for one site and moment: its range in the site's time zone, `time`
as the bucket the range calls for, the default order, and the filters Plausible adds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from eventlens.domain.stats_query.dates import TimeRange, resolve
from eventlens.domain.stats_query.filters import Condition, Filter
from eventlens.domain.stats_query.query import StatsQuery
from eventlens.domain.stats_query.timeline import granularity
from eventlens.domain.stats_query.vocabulary import is_time

# A breakdown by these, filtered by `event:hostname`, keeps the visits that entered on it, so
# that referrers from one host do not show under another (Plausible does the same).
ENTRY_HOSTNAME = "visit:entry_page_hostname"
ENTERED_ON = (
    "visit:source",
    "visit:entry_page",
    "visit:utm_medium",
    "visit:utm_source",
    "visit:utm_campaign",
    "visit:utm_content",
    "visit:utm_term",
    "visit:referrer",
)


@dataclass(frozen=True)
class ResolvedQuery:
    query: StatsQuery
    time_range: TimeRange
    dimensions: tuple[str, ...]
    filters: tuple[Filter, ...]
    order_by: tuple[tuple[str, str], ...]

    @property
    def metrics(self) -> tuple[str, ...]:
        return self.query.metrics

    @property
    def time_dimension(self) -> str | None:
        return next((d for d in self.dimensions if is_time(d)), None)

    def with_range(self, time_range: TimeRange) -> ResolvedQuery:
        return replace(self, time_range=time_range)

    def echoed(self) -> dict[str, Any]:
        """The query as the response's `query` shows it: what was run, defaults filled in."""
        return {
            "site_id": self.query.site_id,
            "metrics": list(self.metrics),
            "date_range": self.time_range.echoed(),
            "filters": [f.to_json() for f in self.query.filters],
            "dimensions": list(self.dimensions),
            "order_by": [list(entry) for entry in self.order_by],
            "include": self.query.include.to_json(),
            "pagination": {"limit": self.query.limit, "offset": self.query.offset},
        }


def resolve_query(
    query: StatsQuery, today: date, timezone: str, stats_start: date | None = None
) -> ResolvedQuery:
    time_range = resolve(query.date_range, today, timezone, stats_start)
    bucket = granularity(time_range)
    dimensions = tuple(bucket if d == "time" else d for d in query.dimensions)
    order_by = query.order_by
    if order_by is None:
        time_dimension = next((d for d in dimensions if is_time(d)), None)
        first_metric = (query.metrics[0], "desc")
        order_by = ((time_dimension, "asc"), first_metric) if time_dimension else (first_metric,)
    order_by = tuple((bucket if value == "time" else value, way) for value, way in order_by)
    return ResolvedQuery(query, time_range, dimensions, _with_entry_hosts(query), order_by)


def _with_entry_hosts(query: StatsQuery) -> tuple[Filter, ...]:
    hosts = [
        f for f in query.filters if isinstance(f, Condition) and f.dimension == "event:hostname"
    ]
    if not hosts or not any(d in ENTERED_ON for d in query.dimensions):
        return query.filters
    return query.filters + tuple(replace(f, dimension=ENTRY_HOSTNAME) for f in hosts)
