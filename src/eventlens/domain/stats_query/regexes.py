"""`matches` / `matches_not` patterns, which Plausible documents as RE2 syntax: checked with
RE2 when the query is read, and run with RE2 (linear in the text, never backtracking), so no
pattern a client sends can stall a query."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import re2

from eventlens.domain.stats_query.errors import StatsQueryError, shown
from eventlens.domain.stats_query.filters import PATTERN_OPERATORS, Condition, Filter, leaves

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> Any:
    return re2.compile(pattern, _OPTIONS)


def pattern_conditions(filters: tuple[Filter, ...]) -> list[Condition]:
    return [c for c in leaves(filters) if c.operator in PATTERN_OPERATORS]


def check_patterns(filters: tuple[Filter, ...]) -> None:
    """Every pattern of the filters is one RE2 runs; else the query is refused naming it."""
    for condition in pattern_conditions(filters):
        for pattern in condition.clauses:
            try:
                _compiled(str(pattern))
            except re2.error as error:
                reason = error.args[0] if error.args else "not supported"
                if isinstance(reason, bytes):
                    reason = reason.decode("utf-8", "replace")
                raise StatsQueryError(
                    f"Invalid filter '{shown(condition.to_json())}': the pattern "
                    f"{shown(pattern)} is not valid RE2 syntax ({reason}).",
                    field="filters",
                ) from None


def matching(values: Iterable[str], patterns: tuple[str, ...]) -> list[str]:
    """The values one of the patterns is found in (anywhere, as Plausible matches)."""
    compiled = [_compiled(p) for p in patterns]
    found = []
    for value in values:
        try:
            if any(c.search(value) is not None for c in compiled):
                found.append(value)
        except UnicodeEncodeError:
            raw = value.encode("utf-8", "surrogatepass")
            if any(c.search(raw) is not None for c in compiled):
                found.append(value)
    return found
