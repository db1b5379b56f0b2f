"""Goals in a Stats API query: which of a site's goals a filter on `event:goal` names, the
check Plausible makes that a goal filtered on `is` is configured, and the query a conversion
rate is measured against (the same without its goal and custom-property filters)."""

from __future__ import annotations

from eventlens.domain.goals import Goal
from eventlens.domain.stats_query.errors import StatsQueryError
from eventlens.domain.stats_query.filters import Condition, Filter, leaves
from eventlens.domain.stats_query.regexes import matching
from eventlens.domain.stats_query.vocabulary import GOAL, PROPS

GOALS_HELP = "https://plausible.io/docs/stats-api#filtering-by-goals"


def goals_matching(goals: tuple[Goal, ...], condition: Condition) -> tuple[Goal, ...]:
    """The goals whose name the condition's positive form holds for (`is_not` -> `is`)."""
    operator = condition.operator.removesuffix("_not")
    clauses = [str(c) for c in condition.clauses]
    if condition.ignores_case:
        clauses = [c.lower() for c in clauses]

    def name(goal: Goal) -> str:
        return goal.name.lower() if condition.ignores_case else goal.name

    if operator == "is":
        return tuple(g for g in goals if name(g) in clauses)
    if operator == "contains":
        return tuple(g for g in goals if any(c in name(g) for c in clauses))
    names = set(matching([name(g) for g in goals], tuple(clauses)))
    return tuple(g for g in goals if name(g) in names)


def check_goals(filters: tuple[Filter, ...], goals: tuple[Goal, ...]) -> None:
    """A goal an `is` filter names must be one of the site's goals (Plausible's message)."""
    names = {g.name for g in goals}
    for condition in leaves(filters):
        if condition.dimension != GOAL or condition.operator != "is":
            continue
        lowered = {n.lower() for n in names}
        for clause in condition.clauses:
            known = str(clause).lower() in lowered if condition.ignores_case else clause in names
            if not known:
                raise StatsQueryError(
                    f"Invalid filters. The goal `{clause}` is not configured for this site. "
                    f"Find out how to configure goals here: {GOALS_HELP}",
                    field="filters",
                )


def breakdown_goals(filters: tuple[Filter, ...], goals: tuple[Goal, ...]) -> tuple[Goal, ...]:
    """The goals a breakdown by `event:goal` shows: those its top-level goal filters keep."""
    kept = goals
    for item in filters:
        if isinstance(item, Condition) and item.dimension == GOAL:
            named = set(goals_matching(goals, item))
            negated = item.operator.endswith("_not")
            kept = tuple(g for g in kept if (g in named) != negated)
    return kept


def revenue_goals(filters: tuple[Filter, ...], goals: tuple[Goal, ...]) -> tuple[Goal, ...]:
    """The revenue goals a query without a goal dimension is about: those its top-level goal
    filters keep (none without a goal filter)."""
    if not any(isinstance(f, Condition) and f.dimension == GOAL for f in filters):
        return ()
    return tuple(g for g in breakdown_goals(filters, goals) if g.currency is not None)


def revenue_currency(filters: tuple[Filter, ...], goals: tuple[Goal, ...]) -> str | None:
    """The one currency of the revenue goals filtered on; None for none, or for several (whose
    amounts do not add up)."""
    currencies = {g.currency for g in revenue_goals(filters, goals)}
    return currencies.pop() if len(currencies) == 1 else None


def without_conversion_filters(filters: tuple[Filter, ...]) -> tuple[Filter, ...]:
    """The filters a conversion rate's denominator keeps: all but the top-level ones on
    goals and custom properties (as Plausible counts the visitors converted against)."""
    return tuple(
        f
        for f in filters
        if not (isinstance(f, Condition) and (f.dimension == GOAL or f.dimension.startswith(PROPS)))
    )


def conversion_rate(converted: int, total: int) -> float:
    """Plausible's conversion rate: a percentage, rounded to two decimals; 0 with no visitors."""
    return round(converted / total * 100, 2) if total > 0 else 0.0
