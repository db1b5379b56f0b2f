"""Filters by pattern, resolved before the query runs: the distinct values of the filtered
dimension in the range are read, RE2 picks those that match (`domain.stats_query.regexes`),
and the query then keeps rows with one of those values. No pattern reaches PostgreSQL,
whose regular expressions are neither RE2's syntax nor bounded in time."""

from __future__ import annotations

from typing import Any

from psycopg import AsyncConnection, sql

from eventlens.domain.stats_query import Breakdown, Site, StatsQueryError
from eventlens.domain.stats_query.regexes import matching, pattern_conditions
from eventlens.domain.stats_query.vocabulary import GOAL, prop_key
from eventlens.views.web_stats.columns import Params, dimension, raw_property
from eventlens.views.web_stats.conditions import Matched
from eventlens.views.web_stats.scopes import Scopes

# Values a pattern is run over at most, per filter: beyond, the range is too wide to match.
MAX_CANDIDATES = 500_000


async def matched_values(conn: AsyncConnection[Any], site: Site, breakdown: Breakdown) -> Matched:
    found: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    wanted = []
    for condition in pattern_conditions(breakdown.filters):
        if condition.dimension == GOAL:
            continue  # goals are the site's, matched by name (`domain.stats_query.goals`)
        patterns = tuple(str(c) for c in condition.clauses)
        wanted.append((condition.dimension, patterns))
        if condition.dimension == "event:page":
            # A page filter also stands for the entry page: for the bounce rate, and for the
            # visits' side of a breakdown by page.
            wanted.append(("visit:entry_page", patterns))
    for key in dict.fromkeys(wanted):
        params = Params()
        query = _candidates(key[0], Scopes(site, breakdown.time_range, params, {}))
        cursor = await conn.execute(query, params.values)
        values = [row[0] for row in await cursor.fetchmany(MAX_CANDIDATES + 1)]
        if len(values) > MAX_CANDIDATES:
            raise StatsQueryError(
                f"The filter on {condition.dimension} would match its pattern against more "
                f"than {MAX_CANDIDATES} values: narrow the date range.",
                field="filters",
            )
        found[key] = matching(values, key[1])
    return found


def _candidates(name: str, scopes: Scopes) -> sql.Composed:
    """The distinct values the dimension has in the range, as a filter compares them."""
    key = prop_key(name)
    if key is not None:
        value = raw_property(key, scopes.params)
        return sql.SQL(
            "SELECT DISTINCT {0} FROM event_logs e WHERE {1} AND {0} IS NOT NULL"
        ).format(value, scopes.events())
    if name.startswith("event:"):
        return sql.SQL("SELECT DISTINCT {} FROM event_logs e WHERE {}").format(
            dimension(name, "events", scopes.params, scopes.time_range), scopes.events()
        )
    return sql.SQL("SELECT DISTINCT {} FROM visits v WHERE {}").format(
        dimension(name, "visits", scopes.params, scopes.time_range), scopes.visits()
    )
