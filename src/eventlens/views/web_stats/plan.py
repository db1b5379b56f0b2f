"""Which read model answers which metrics of a breakdown, as Plausible splits a query
between its events and sessions tables: event metrics (page views, events, time on page,
scroll depth) from `event_logs`, visit metrics (bounce rate, duration, views per visit)
from `visits`, visitors and visits from whichever the rest of the query needs."""

from __future__ import annotations

from dataclasses import dataclass, replace

from eventlens.domain.stats_query import Breakdown, Combination, Condition, Filter, Not
from eventlens.domain.stats_query.filters import dimensions_in
from eventlens.domain.stats_query.vocabulary import METRIC_TABLES, dimension_table

ENGAGEMENT_METRICS = ("time_on_page", "scroll_depth")


@dataclass(frozen=True)
class Plan:
    event_metrics: tuple[str, ...]
    session_metrics: tuple[str, ...]
    # The visits' side of a breakdown by `event:page` groups visits by their entry page.
    session_dimensions: tuple[str, ...]
    session_filters: tuple[Filter, ...]

    @property
    def counted_event_metrics(self) -> tuple[str, ...]:
        return tuple(m for m in self.event_metrics if m not in ENGAGEMENT_METRICS)


def plan(breakdown: Breakdown) -> Plan:
    metrics = {"event": [], "session": [], "either": []}  # type: dict[str, list[str]]
    for metric in breakdown.metrics:
        metrics[METRIC_TABLES[metric]].append(metric)
    filters = {dimension_table(d) for d in dimensions_in(breakdown.filters)}
    dimensions = {dimension_table(d) for d in breakdown.dimensions}
    event, session, either = metrics["event"], metrics["session"], metrics["either"]
    if not event and "event" not in filters and "event" not in dimensions:
        return _sessions(breakdown, (*session, *either))
    if not session and "session" not in filters and "session" not in dimensions:
        return _events((*event, *either))
    if not event and "event" not in dimensions:
        return _sessions(breakdown, (*session, *either))
    if not session and "session" not in dimensions:
        return _events((*event, *either))
    if not event and not either:
        return _sessions(breakdown, tuple(session), by_entry_page=True)
    return replace(
        _sessions(breakdown, tuple(session), by_entry_page=True),
        event_metrics=(*event, *either),
    )


def _events(metrics: tuple[str, ...]) -> Plan:
    return Plan(metrics, (), (), ())


def _sessions(
    breakdown: Breakdown, metrics: tuple[str, ...], *, by_entry_page: bool = False
) -> Plan:
    dimensions, filters = breakdown.dimensions, breakdown.filters
    if by_entry_page and "event:page" in dimensions:
        dimensions = tuple("visit:entry_page" if d == "event:page" else d for d in dimensions)
        filters = tuple(_entry_page(f) for f in filters)
    return Plan((), metrics, dimensions, filters)


def _entry_page(item: Filter) -> Filter:
    if isinstance(item, Condition):
        return (
            replace(item, dimension="visit:entry_page") if item.dimension == "event:page" else item
        )
    if isinstance(item, Combination):
        return replace(item, filters=tuple(_entry_page(f) for f in item.filters))
    if isinstance(item, Not):
        return Not(_entry_page(item.filter))
    return item
