"""Funnels, pure: a funnel's request (`POST /api/v2/funnel`) read and checked (its steps are
the names of the site's goals), and the per-step answer (visitors, conversion from the first
step, drop-off from the previous one); and the funnels a site keeps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventlens.domain.errors import AlreadyExists, Conflict, InvalidInput
from eventlens.domain.stats_query import StatsQuery, StatsQueryError, validate
from eventlens.domain.stats_query.dates import DateRangeSpec, parse_date_range
from eventlens.domain.stats_query.errors import schema_error, shown, type_mismatch
from eventlens.domain.stats_query.filters import Filter, parse_filters
from eventlens.domain.stats_query.vocabulary import VISIT_PROPERTIES

MIN_STEPS, MAX_STEPS = 2, 8
MAX_WINDOW_DAYS = 90
_WITHIN = re.compile(r"([1-9][0-9]*)d")
# Breakdowns by a visit's own attribute; entry/exit pages and hostnames are left out (the
# visit that started the funnel is what is broken down, and those are the pages it went to).
BREAKDOWNS = tuple(
    f"visit:{name}"
    for name in VISIT_PROPERTIES
    if name not in ("exit_page", "exit_page_hostname", "entry_page_hostname")
)


@dataclass(frozen=True)
class Window:
    """How long after its first step a visitor may reach the others: within the same visit,
    or `days` days."""

    days: int | None = None

    @property
    def visit(self) -> bool:
        return self.days is None

    def to_json(self) -> str:
        return "visit" if self.days is None else f"{self.days}d"


def parse_window(raw: object, path: str = "#/within") -> Window:
    if raw is None or raw == "visit":
        return Window()
    if not isinstance(raw, str):
        raise type_mismatch(path, "String", raw)
    found = _WITHIN.fullmatch(raw)
    if found is None or int(found.group(1)) > MAX_WINDOW_DAYS:
        raise schema_error(
            path,
            f'Invalid within {shown(raw)}: "visit", or a number of days from 1 to '
            f'{MAX_WINDOW_DAYS} followed by "d" (such as "7d").',
        )
    return Window(int(found.group(1)))


def parse_steps(raw: object, path: str = "#/steps") -> tuple[str, ...]:
    if not isinstance(raw, list):
        raise type_mismatch(path, "Array", raw)
    if not MIN_STEPS <= len(raw) <= MAX_STEPS:
        raise schema_error(
            path, f"A funnel has {MIN_STEPS} to {MAX_STEPS} steps, but {len(raw)} were given."
        )
    for index, step in enumerate(raw):
        if not isinstance(step, str) or not step.strip():
            raise schema_error(f"{path}/{index}", "A step is a goal's name (a non-empty string).")
    seen: set[str] = set()
    for index, step in enumerate(raw):
        if step in seen:
            raise schema_error(f"{path}/{index}", f"The goal {shown(step)} is a step twice.")
        seen.add(step)
    return tuple(raw)


@dataclass(frozen=True)
class FunnelQuery:
    site_id: str
    date_range: DateRangeSpec
    steps: tuple[str, ...]
    within: Window = Window()
    filters: tuple[Filter, ...] = ()
    breakdown: str | None = None

    def as_stats_query(self) -> StatsQuery:
        """The Stats API query of the same site, range and filters: its rules and resolution."""
        return StatsQuery(self.site_id, ("visitors",), self.date_range, filters=self.filters)


FUNNEL_FIELDS = ("site_id", "date_range", "steps", "within", "filters", "breakdown")


def read_funnel_query(raw: object) -> FunnelQuery:
    """A request body read and checked: the funnel asked for, or a `StatsQueryError`."""
    body = _object(raw, ("site_id", "date_range", "steps"), FUNNEL_FIELDS)
    query = FunnelQuery(
        site_id=_site_id(body["site_id"]),
        date_range=parse_date_range(body["date_range"]),
        steps=parse_steps(body["steps"]),
        within=parse_window(body.get("within")),
        filters=parse_filters(body.get("filters")),
        breakdown=_breakdown(body.get("breakdown")),
    )
    validate(query.as_stats_query())
    return query


def _object(raw: object, required: tuple[str, ...], known: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise type_mismatch("#", "Object", raw)
    for name in required:
        if name not in raw:
            raise schema_error(f"#/{name}", f"Required property {name} was not present.")
    for name in raw:
        if name not in known:
            raise schema_error(f"#/{name}", "Schema does not allow additional properties.")
    return raw


def _site_id(raw: object) -> str:
    if not isinstance(raw, str):
        raise type_mismatch("#/site_id", "String", raw)
    return raw


def _breakdown(raw: object) -> str | None:
    if raw is None:
        return None
    if raw not in BREAKDOWNS:
        raise schema_error(
            "#/breakdown",
            f"Invalid breakdown {shown(raw)}: one visit dimension, such as visit:source or "
            "visit:device.",
        )
    assert isinstance(raw, str)
    return raw


def read_body(raw: object, required: tuple[str, ...], known: tuple[str, ...]) -> dict[str, Any]:
    """A JSON object with the required fields and no others, or a `StatsQueryError`."""
    return _object(raw, required, known)


def funnel_steps(names: tuple[str, ...], reached: list[int]) -> list[dict[str, Any]]:
    """Each step's answer from the visitors who reached it: `conversion_rate` (percent of the
    first step's), `dropoff` and `dropoff_rate` (of the previous step's)."""
    first = reached[0] if reached else 0
    found = []
    for index, (name, visitors) in enumerate(zip(names, reached, strict=True)):
        before = reached[index - 1] if index else visitors
        dropoff = before - visitors
        found.append(
            {
                "step": index + 1,
                "goal": name,
                "visitors": visitors,
                "conversion_rate": _percent(visitors, first),
                "dropoff": dropoff,
                "dropoff_rate": _percent(dropoff, before) if index else 0.0,
            }
        )
    return found


def _percent(part: int, whole: int) -> float:
    return round(part / whole * 100, 2) if whole else 0.0


def reached_per_step(levels: dict[int, int], steps: int) -> list[int]:
    """Visitors per step from how many stopped at each level (the last step they reached):
    a step is reached by everyone who stopped at it or further."""
    return [sum(n for level, n in levels.items() if level >= step) for step in range(1, steps + 1)]


MAX_SAVED_FUNNELS = 100  # per site
MAX_FUNNEL_NAME = 120


@dataclass(frozen=True, slots=True)
class SavedFunnel:
    """A funnel kept for a site: its steps (goal names, in order), window, and the visit
    dimension it is broken down by, if any."""

    funnel_id: str
    name: str
    steps: tuple[str, ...]
    within: str
    created_at: datetime
    breakdown: str | None = None


def check_funnel_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_FUNNEL_NAME:
        raise InvalidInput(
            f"name must be a non-empty string of at most {MAX_FUNNEL_NAME} characters",
            field="name",
        )
    return name.strip()


def check_saved_steps(steps: object) -> tuple[str, ...]:
    try:
        return parse_steps(steps, "steps")
    except StatsQueryError as refused:
        raise InvalidInput(refused.message, field="steps") from None


def check_saved_window(within: object) -> str:
    try:
        return parse_window(within, "within").to_json()
    except StatsQueryError as refused:
        raise InvalidInput(refused.message, field="within") from None


def check_saved_breakdown(breakdown: object) -> str | None:
    try:
        return _breakdown(breakdown)
    except StatsQueryError as refused:
        raise InvalidInput(refused.message, field="breakdown") from None


def check_new_funnel(
    site: str,
    funnels: dict[str, SavedFunnel],
    goals: set[str],
    funnel_id: str,
    name: object,
    steps: object,
) -> tuple[str, tuple[str, ...]]:
    """A funnel's name and steps, checked against the site's goals and saved funnels."""
    checked_name = check_funnel_name(name)
    checked_steps = check_saved_steps(steps)
    for step in checked_steps:
        if step not in goals:
            raise InvalidInput(
                f"steps: the goal {step!r} is not configured for site {site}", field="steps"
            )
    if len(funnels) >= MAX_SAVED_FUNNELS:
        raise Conflict(
            f"a site may have at most {MAX_SAVED_FUNNELS} saved funnels; delete one first"
        )
    if any(f.name == checked_name for f in funnels.values()):
        raise AlreadyExists(
            f"site {site} already has a funnel named {checked_name!r}", field="name"
        )
    if funnel_id in funnels:
        raise Conflict(f"funnel id {funnel_id!r} is taken")
    return checked_name, checked_steps
