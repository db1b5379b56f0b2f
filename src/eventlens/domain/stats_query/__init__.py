"""Plausible's Stats API v2 query (`POST /api/v2/query`), pure: its request read and checked
with Plausible's rules and messages, resolved for a site, and the helpers that turn engine
rows into Plausible's answer. No I/O: engines run `Breakdown`s (views.web_stats)."""

from eventlens.domain.stats_query.breakdown import ENGINE_METRICS, Breakdown, Page, Row, Site
from eventlens.domain.stats_query.errors import StatsQueryError
from eventlens.domain.stats_query.filters import (
    Behaviour,
    Combination,
    Condition,
    Filter,
    Not,
)
from eventlens.domain.stats_query.query import Comparison, Include, StatsQuery, parse_query
from eventlens.domain.stats_query.resolved import ResolvedQuery, resolve_query
from eventlens.domain.stats_query.validate import validate


def read_query(raw: object) -> StatsQuery:
    """A request body read and checked: the query, or a `StatsQueryError`."""
    query = parse_query(raw)
    validate(query)
    return query


__all__ = [
    "ENGINE_METRICS",
    "Behaviour",
    "Breakdown",
    "Combination",
    "Comparison",
    "Condition",
    "Filter",
    "Include",
    "Not",
    "Page",
    "ResolvedQuery",
    "Row",
    "Site",
    "StatsQuery",
    "StatsQueryError",
    "parse_query",
    "read_query",
    "resolve_query",
    "validate",
]
