"""The Stats API v2 query, as read from its JSON body (`parse_query`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eventlens.domain.stats_query.dates import DateRangeSpec, parse_date_range
from eventlens.domain.stats_query.errors import StatsQueryError, schema_error, shown, type_mismatch
from eventlens.domain.stats_query.filters import Filter, parse_filters
from eventlens.domain.stats_query.vocabulary import METRICS, is_dimension, is_property, is_time

REQUIRED = ("site_id", "metrics", "date_range")
KNOWN = (*REQUIRED, "dimensions", "filters", "order_by", "include", "pagination")
DEFAULT_LIMIT = 10_000
MAX_LIMIT = 10_000
COMPARISON_MODES = ("previous_period", "year_over_year", "custom")


@dataclass(frozen=True)
class Comparison:
    mode: str
    match_day_of_week: bool = False
    date_range: tuple[str, str] | None = None  # mode "custom": two ISO dates

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"mode": self.mode}
        if self.match_day_of_week:
            found["match_day_of_week"] = True
        if self.date_range is not None:
            found["date_range"] = list(self.date_range)
        return found


@dataclass(frozen=True)
class Include:
    time_labels: bool = False
    total_rows: bool = False
    imports: bool = False
    comparisons: Comparison | None = None

    def to_json(self) -> dict[str, Any]:
        """Only what is set, as Plausible echoes it."""
        found: dict[str, Any] = {}
        for name in ("imports", "time_labels", "total_rows"):
            if getattr(self, name):
                found[name] = True
        if self.comparisons is not None:
            found["comparisons"] = self.comparisons.to_json()
        return found


@dataclass(frozen=True)
class StatsQuery:
    site_id: str
    metrics: tuple[str, ...]
    date_range: DateRangeSpec
    dimensions: tuple[str, ...] = ()
    filters: tuple[Filter, ...] = ()
    order_by: tuple[tuple[str, str], ...] | None = None
    include: Include = field(default_factory=Include)
    limit: int = DEFAULT_LIMIT
    offset: int = 0


def parse_query(raw: object) -> StatsQuery:
    """The query a request body asks for, or a `StatsQueryError` naming what is wrong."""
    if not isinstance(raw, dict):
        raise type_mismatch("#", "Object", raw)
    if _holds_nul(raw):
        raise StatsQueryError("The query holds a NUL character, which no value can.", field="#")
    missing = [name for name in REQUIRED if name not in raw]
    if len(missing) == 1:
        raise schema_error("#", f"Required property {missing[0]} was not present.")
    if missing:
        raise schema_error("#", f"Required properties {', '.join(missing)} were not present.")
    for name in raw:
        if name not in KNOWN:
            raise schema_error(f"#/{name}", "Schema does not allow additional properties.")
    site_id = raw["site_id"]
    if not isinstance(site_id, str):
        raise type_mismatch("#/site_id", "String", site_id)
    metrics = _metrics(raw["metrics"])
    date_range = parse_date_range(raw["date_range"])
    dimensions = _dimensions(raw.get("dimensions"))
    filters = parse_filters(raw.get("filters"))
    order_by = _order_by(raw.get("order_by"))
    include = _include(raw.get("include"))
    limit, offset = _pagination(raw.get("pagination"))
    return StatsQuery(
        site_id, metrics, date_range, dimensions, filters, order_by, include, limit, offset
    )


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    return False


def _array(raw: object, path: str, minimum: int = 0) -> list[Any]:
    if not isinstance(raw, list):
        raise type_mismatch(path, "Array", raw)
    if len(raw) < minimum:
        raise schema_error(path, f"Expected a minimum of {minimum} items but got {len(raw)}.")
    return raw


def _distinct(values: list[Any], path: str) -> None:
    seen: list[Any] = []
    for value in values:
        if value in seen:
            raise schema_error(path, "Expected items to be unique but they were not.")
        seen.append(value)


def _metrics(raw: object) -> tuple[str, ...]:
    metrics = _array(raw, "#/metrics", minimum=1)
    invalid = [
        f"#/metrics/{i}: Invalid metric {shown(m)}"
        for i, m in enumerate(metrics)
        if m not in METRICS
    ]
    if invalid:
        raise StatsQueryError("\n".join(invalid), field=invalid[0].split(":", 1)[0])
    _distinct(metrics, "#/metrics")
    return tuple(metrics)


def _dimensions(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    dimensions = _array(raw, "#/dimensions")
    for index, dimension in enumerate(dimensions):
        if not is_dimension(dimension):
            raise schema_error(f"#/dimensions/{index}", f"Invalid dimension {shown(dimension)}")
    _distinct(dimensions, "#/dimensions")
    return tuple(dimensions)


def _order_by(raw: object) -> tuple[tuple[str, str], ...] | None:
    if raw is None:
        return None
    entries = _array(raw, "#/order_by")
    found = []
    for index, entry in enumerate(entries):
        path = f"#/order_by/{index}"
        if not isinstance(entry, list):
            raise type_mismatch(path, "Array", entry)
        if len(entry) != 2:
            bound = "minimum" if len(entry) < 2 else "maximum"
            raise schema_error(path, f"Expected a {bound} of 2 items but got {len(entry)}.")
        value, direction = entry
        if not (value in METRICS or is_property(value) or is_time(value)):
            raise schema_error(f"{path}/0", f"Invalid value in order_by {shown(value)}")
        if direction not in ("asc", "desc"):
            raise schema_error(f"{path}/1", f"Value {shown(direction)} is not allowed in enum.")
        found.append((value, direction))
    return tuple(found)


def _include(raw: object) -> Include:
    if raw is None:
        return Include()
    if not isinstance(raw, dict):
        raise type_mismatch("#/include", "Object", raw)
    for name, value in raw.items():
        path = f"#/include/{name}"
        if name not in ("time_labels", "total_rows", "imports", "comparisons"):
            raise schema_error(path, "Schema does not allow additional properties.")
        if name != "comparisons" and not isinstance(value, bool):
            raise type_mismatch(path, "Boolean", value)
    comparisons = raw.get("comparisons")
    return Include(
        time_labels=raw.get("time_labels", False),
        total_rows=raw.get("total_rows", False),
        imports=raw.get("imports", False),
        comparisons=None if comparisons is None else _comparison(comparisons),
    )


def _comparison(raw: object) -> Comparison:
    path = "#/include/comparisons"
    if not isinstance(raw, dict):
        raise type_mismatch(path, "Object", raw)
    mode = raw.get("mode")
    matching = raw.get("match_day_of_week", False)
    dates = raw.get("date_range")
    allowed = {"mode", "match_day_of_week"} | ({"date_range"} if mode == "custom" else set())
    valid = (
        mode in COMPARISON_MODES
        and isinstance(matching, bool)
        and not set(raw) - allowed
        and (mode != "custom" or _two_dates(dates))
    )
    if not valid:
        raise schema_error(
            path, "Expected exactly one of the schemata to match, but none of them did."
        )
    assert isinstance(mode, str)
    return Comparison(mode, matching, (dates[0], dates[1]) if mode == "custom" and dates else None)


def _two_dates(raw: object) -> bool:
    if not isinstance(raw, list) or len(raw) != 2:
        return False
    try:
        return all(isinstance(v, str) and date.fromisoformat(v) and len(v) == 10 for v in raw)
    except ValueError:
        return False


def _pagination(raw: object) -> tuple[int, int]:
    if raw is None:
        return DEFAULT_LIMIT, 0
    if not isinstance(raw, dict):
        raise type_mismatch("#/pagination", "Object", raw)
    for name in raw:
        if name not in ("limit", "offset"):
            raise schema_error(
                f"#/pagination/{name}", "Schema does not allow additional properties."
            )
    limit, offset = raw.get("limit", DEFAULT_LIMIT), raw.get("offset", 0)
    for name, value in (("limit", limit), ("offset", offset)):
        if not isinstance(value, int) or isinstance(value, bool):
            raise type_mismatch(f"#/pagination/{name}", "Integer", value)
    if limit < 1:
        raise schema_error("#/pagination/limit", "Expected the value to be >= 1")
    if limit > MAX_LIMIT:
        raise schema_error("#/pagination/limit", f"Expected the value to be <= {MAX_LIMIT}")
    if offset < 0:
        raise schema_error("#/pagination/offset", "Expected the value to be >= 0")
    return limit, offset
