"""Filters as SQL conditions over `event_logs e` and `visits v`, on the values the API shows
(so a filter matches what a breakdown by the same dimension shows): `is` compares, `contains`
searches (`LIKE`), `matches` keeps the values RE2 matched (found beforehand, `patterns.py`);
`case_sensitive: false` compares lower-cased. A custom property must be present for
`contains` and `matches` (and their negations) to hold, as in Plausible."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from psycopg import sql

from eventlens.domain.goals import Goal
from eventlens.domain.stats_query import Behaviour, Combination, Condition, Filter, Not
from eventlens.domain.stats_query.dates import TimeRange
from eventlens.domain.stats_query.goals import goals_matching
from eventlens.domain.stats_query.vocabulary import GOAL, prop_key
from eventlens.views.web_stats.columns import Params, Table, dimension, raw_property

# (dimension, patterns) -> the values that match one of the patterns
Matched = Mapping[tuple[str, tuple[str, ...]], list[str]]
# The events a behavioural filter looks for, as an SQL subquery of visit ids.
VisitsWith = Callable[[Filter], sql.Composable]

FALSE = sql.SQL("FALSE")


class Conditions:
    def __init__(
        self,
        params: Params,
        time_range: TimeRange,
        matched: Matched,
        visits_with: VisitsWith,
        table: Table = "events",
        goals: tuple[Goal, ...] = (),
    ) -> None:
        self.params = params
        self.time_range = time_range
        self.matched = matched
        self.visits_with = visits_with
        self.table = table
        self.goals = goals

    def all_of(self, filters: tuple[Filter, ...] | list[Filter]) -> sql.Composable:
        return sql.SQL(" AND ").join([sql.SQL("TRUE"), *(self.of(f) for f in filters)])

    def of(self, item: Filter) -> sql.Composable:
        if isinstance(item, Condition):
            return sql.SQL("({})").format(self.condition(item))
        if isinstance(item, Combination):
            joiner = sql.SQL(" AND ") if item.operator == "and" else sql.SQL(" OR ")
            return sql.SQL("({})").format(joiner.join(self.of(f) for f in item.filters))
        if isinstance(item, Not):
            return sql.SQL("(NOT coalesce({}, FALSE))").format(self.of(item.filter))
        return self.behaviour(item)

    def behaviour(self, item: Behaviour) -> sql.Composable:
        visit = sql.SQL("e.visit_id") if self.table == "events" else sql.SQL("v.visit_id")
        found = sql.SQL("{} IN ({})").format(visit, self.visits_with(item.filter))
        if item.negated:
            return sql.SQL("(NOT coalesce({}, FALSE))").format(found)
        return sql.SQL("({})").format(found)

    def condition(self, c: Condition) -> sql.Composable:
        operator = c.operator
        if c.dimension == GOAL:
            held = reached(goals_matching(self.goals, c), self.params)
            if operator.endswith("_not"):
                return sql.SQL("NOT coalesce({}, FALSE)").format(held)
            return held
        key = prop_key(c.dimension)
        positive = operator.removesuffix("_not")
        if key is not None and positive in ("contains", "matches"):
            value = raw_property(key, self.params)
            held = self._positive(positive, c, value)
            if operator.endswith("_not"):
                held = sql.SQL("NOT coalesce({}, FALSE)").format(held)
            return sql.SQL("(e.properties ? {} AND {})").format(self.params.add(key), held)
        value = dimension(c.dimension, self.table, self.params, self.time_range)
        held = self._positive(positive, c, value)
        if operator.endswith("_not"):
            return sql.SQL("NOT coalesce({}, FALSE)").format(held)
        return held

    def _positive(self, operator: str, c: Condition, value: sql.Composable) -> sql.Composable:
        clauses = [str(clause) for clause in c.clauses]
        if operator == "is":
            if c.ignores_case:
                lowered = self.params.add([clause.lower() for clause in clauses])
                return sql.SQL("lower({}) = ANY({}::text[])").format(value, lowered)
            return sql.SQL("{} = ANY({}::text[])").format(value, self.params.add(clauses))
        if operator == "contains":
            patterns = self.params.add([f"%{_escaped(clause)}%" for clause in clauses])
            like = sql.SQL("ILIKE") if c.ignores_case else sql.SQL("LIKE")
            return sql.SQL("{} {} ANY({}::text[])").format(value, like, patterns)
        values = self.matched.get((c.dimension, tuple(clauses)), [])
        return sql.SQL("{} = ANY({}::text[])").format(value, self.params.add(values))


def reached(goals: tuple[Goal, ...], params: Params) -> sql.Composable:
    """Whether the event `e` reaches one of the goals: a custom event of a goal's name, or a
    page view of a path a page goal's pattern matches."""
    names = [g.event_name for g in goals if g.event_name is not None]
    patterns = [g.path_regex for g in goals if g.path_regex is not None]
    held: list[sql.Composable] = []
    if names:
        held.append(sql.SQL("e.event_type = ANY({}::text[])").format(params.add(names)))
    if patterns:
        held.append(
            sql.SQL("(e.event_type = 'page_view' AND e.path ~ ANY({}::text[]))").format(
                params.add(patterns)
            )
        )
    return sql.SQL("({})").format(sql.SQL(" OR ").join(held)) if held else FALSE


def _escaped(text: str) -> str:
    """`text` matched literally by LIKE (whose escape character is a backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
