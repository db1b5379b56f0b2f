"""Filters: a tree of conditions (`[operator, dimension, clauses]`) under `and`, `or`, `not`
and the behavioural `has_done` / `has_not_done`, read as Plausible's query schema and parser
read them, with their messages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from eventlens.domain.stats_query.errors import StatsQueryError, schema_error, shown, type_mismatch
from eventlens.domain.stats_query.vocabulary import GOAL, SEGMENT, is_property

CONDITION_OPERATORS = ("is", "is_not", "contains", "contains_not", "matches", "matches_not")
PATTERN_OPERATORS = ("matches", "matches_not")
# Plausible takes `is` and `contains` on goals; their negations are EventLens's addition.
WITH_GOALS = ("is", "is_not", "contains", "contains_not")
BEHAVIOURS = ("has_done", "has_not_done")
# Deeper trees say nothing more, and would only make statements PostgreSQL refuses to plan.
MAX_DEPTH = 16


@dataclass(frozen=True)
class Condition:
    operator: str
    dimension: str
    clauses: tuple[str | int, ...]
    case_sensitive: bool | None = None  # None: no modifier given (case-sensitive)

    @property
    def ignores_case(self) -> bool:
        return self.case_sensitive is False

    def to_json(self) -> list[Any]:
        found: list[Any] = [self.operator, self.dimension, list(self.clauses)]
        if self.case_sensitive is not None:
            found.append({"case_sensitive": self.case_sensitive})
        return found


@dataclass(frozen=True)
class Combination:
    operator: str  # "and" | "or"
    filters: tuple[Filter, ...]

    def to_json(self) -> list[Any]:
        return [self.operator, [f.to_json() for f in self.filters]]


@dataclass(frozen=True)
class Not:
    filter: Filter

    def to_json(self) -> list[Any]:
        return ["not", self.filter.to_json()]


@dataclass(frozen=True)
class Behaviour:
    """Visits that did (`has_done`) or did not (`has_not_done`) have a matching event."""

    operator: str
    filter: Filter

    @property
    def negated(self) -> bool:
        return self.operator == "has_not_done"

    def to_json(self) -> list[Any]:
        return [self.operator, self.filter.to_json()]


Filter = Condition | Combination | Not | Behaviour


class _Malformed(Exception):
    """The filter does not have the schema's shape (reported for the whole top-level filter)."""


def parse_filters(raw: object) -> tuple[Filter, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise type_mismatch("#/filters", "Array", raw)
    found = []
    for index, item in enumerate(raw):
        try:
            found.append(_tree(item))
        except _Malformed:
            raise schema_error(f"#/filters/{index}", f"Invalid filter {shown(item)}") from None
    if any(depth >= MAX_DEPTH for _, depth, _ in walk(found)):
        raise StatsQueryError(
            f"Invalid filters. Filters may nest at most {MAX_DEPTH} levels deep.", field="filters"
        )
    for condition in leaves(found):
        _check_clauses(condition)
    return tuple(found)


def _tree(raw: object) -> Filter:
    if not isinstance(raw, list) or not raw or not isinstance(raw[0], str):
        raise _Malformed
    operator = raw[0]
    if operator in ("and", "or"):
        if len(raw) != 2 or not isinstance(raw[1], list) or not raw[1]:
            raise _Malformed
        return Combination(operator, tuple(_tree(item) for item in raw[1]))
    if operator == "not" or operator in BEHAVIOURS:
        if len(raw) != 2:
            raise _Malformed
        inner = _tree(raw[1])
        return Not(inner) if operator == "not" else Behaviour(operator, inner)
    return _condition(raw)


def _condition(raw: list[Any]) -> Condition:
    operator = raw[0]
    if operator not in CONDITION_OPERATORS or len(raw) not in (3, 4):
        raise _Malformed
    dimension, clauses = raw[1], raw[2]
    if operator == "is" and dimension == SEGMENT and len(raw) == 3:
        if not isinstance(clauses, list) or not all(_is_integer(c) for c in clauses):
            raise _Malformed
        return Condition(operator, dimension, tuple(clauses))
    allowed = is_property(dimension) or (operator in WITH_GOALS and dimension == GOAL)
    if not allowed or not isinstance(clauses, list):
        raise _Malformed
    if not all(isinstance(c, str) or _is_integer(c) for c in clauses):
        raise _Malformed
    case_sensitive = None
    if len(raw) == 4:
        case_sensitive = _modifier(operator, raw[3])
    return Condition(operator, dimension, tuple(clauses), case_sensitive)


def _modifier(operator: str, raw: object) -> bool | None:
    if operator in PATTERN_OPERATORS or not isinstance(raw, dict):
        raise _Malformed
    if set(raw) - {"case_sensitive"}:
        raise _Malformed
    value = raw.get("case_sensitive", True)
    if not isinstance(value, bool):
        raise _Malformed
    return value if "case_sensitive" in raw else None


def _is_integer(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_clauses(condition: Condition) -> None:
    clauses = condition.clauses
    strings = all(isinstance(c, str) for c in clauses)
    integers = all(_is_integer(c) for c in clauses)
    if condition.dimension == "visit:city" and not strings and integers:
        return
    if (
        condition.dimension == "visit:country"
        and strings
        and condition.operator in ("is", "is_not")
    ):
        if all(len(str(c)) == 2 for c in clauses):
            return
        raise StatsQueryError(
            "Invalid visit:country filter, visit:country needs to be a valid 2-letter "
            "country code.",
            field="filters",
        )
    if condition.dimension == SEGMENT and integers:
        return
    if strings and condition.dimension != SEGMENT:
        return
    raise StatsQueryError(f"Invalid filter '{shown(condition.to_json())}'.", field="filters")


def leaves(filters: tuple[Filter, ...] | list[Filter]) -> Iterator[Condition]:
    for condition, _, _ in walk(filters):
        yield condition


def walk(
    filters: tuple[Filter, ...] | list[Filter], depth: int = 0, behaviours: int = 0
) -> Iterator[tuple[Condition, int, int]]:
    """Each condition with its depth (0: a top-level filter) and how many behavioural
    filters it is under."""
    for item in filters:
        if isinstance(item, Condition):
            yield item, depth, behaviours
        elif isinstance(item, Combination):
            yield from walk(item.filters, depth + 1, behaviours)
        elif isinstance(item, Not):
            yield from walk([item.filter], depth + 1, behaviours)
        else:
            yield from walk([item.filter], depth + 1, behaviours + 1)


def dimensions_in(
    filters: tuple[Filter, ...], *, min_depth: int = 0, behavioural: bool = True
) -> list[str]:
    """The dimensions conditions use, at `min_depth` or deeper; under a behavioural filter
    only when `behavioural`."""
    return [
        condition.dimension
        for condition, depth, behaviours in walk(filters)
        if depth >= min_depth and (behavioural or not behaviours)
    ]


def toplevel(filters: tuple[Filter, ...], dimension: str) -> Condition | None:
    for item in filters:
        if isinstance(item, Condition) and item.dimension == dimension:
            return item
    return None
