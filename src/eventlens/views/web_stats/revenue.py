"""Revenue metrics (`total_revenue`, `average_revenue`) over `event_logs e`, as exact
decimals (NUMERIC). An event's revenue is `{"amount", "currency"}` in its metadata (Plausible's
Events API `revenue`) or its `revenue` property (EventLens's own body). A revenue goal counts
the amounts in its own currency only: an amount in another currency, or one that is no plain
decimal, is left out (Plausible converts currencies; EventLens does not)."""

from __future__ import annotations

from psycopg import sql

from eventlens.domain.stats_query import Filter
from eventlens.domain.stats_query.goals import revenue_currency, revenue_goals
from eventlens.domain.stats_query.vocabulary import GOAL
from eventlens.views.web_stats.scopes import Scopes

REVENUE_METRICS = ("total_revenue", "average_revenue")
REVENUE = sql.SQL("coalesce(e.metadata -> 'revenue', e.properties -> 'revenue')")
AMOUNT = sql.SQL(
    "CASE WHEN ({0} ->> 'amount') ~ '^-?[0-9]+([.][0-9]+)?$' THEN ({0} ->> 'amount')::numeric END"
).format(REVENUE)
CURRENCY = sql.SQL("upper({} ->> 'currency')").format(REVENUE)


def revenue_metric(
    metric: str, scopes: Scopes, dimensions: tuple[str, ...], filters: tuple[Filter, ...]
) -> sql.Composable:
    """The metric's expression: per goal of a breakdown by goal (in that goal's currency), or
    over the revenue goals the filters keep when they share one currency (else NULL)."""
    aggregate = sql.SQL("sum" if metric == "total_revenue" else "avg")
    if GOAL in dimensions:
        return sql.SQL(
            "{}({}) FILTER (WHERE g.currency IS NOT NULL AND e.event_type = g.event_name "
            "AND {} = g.currency)"
        ).format(aggregate, AMOUNT, CURRENCY)
    goals = scopes.site.goals
    currency = revenue_currency(filters, goals)
    if currency is None:
        return sql.SQL("sum(NULL::numeric)")  # an aggregate: one row per group
    names = [g.event_name for g in revenue_goals(filters, goals) if g.currency == currency]
    return sql.SQL("{}({}) FILTER (WHERE e.event_type = ANY({}::text[]) AND {} = {})").format(
        aggregate, AMOUNT, scopes.params.add(names), CURRENCY, scopes.params.add(currency)
    )
