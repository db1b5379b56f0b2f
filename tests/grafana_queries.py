"""The SQL Grafana runs for a provisioned dashboard's PostgreSQL query, built as Grafana 11 does.

Two steps, as in Grafana. The browser replaces the template variables (`$site`, `${site}`,
`${site:sqlstring}`) as the SQL data sources format them; the PostgreSQL data source then
replaces `$__interval` and its macros (`$__timeFilter(column)`, `$__timeGroupAlias(column,
interval)`, ...) on the server. Only the macros EventLens's dashboards use are emulated: any
other fails, so no dashboard can use a macro whose expansion the tests have not checked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ALL = "$__all"  # the value of a variable's "All" option
DATASOURCE_TYPE = "grafana-postgresql-datasource"

# The browser's variable syntax: $name, [[name:format]], ${name.fieldPath:format}.
VARIABLE = re.compile(
    r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}", re.ASCII
)
# The PostgreSQL data source's macro call: $name(arguments), arguments without a ")".
MACRO = re.compile(r"\$([_a-zA-Z0-9]+)\(([^\)]*)\)")
DATE_UNIT = re.compile(r"^(\d+)([dw])$")
GO_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(us|µs|ms|s|m|h)")
GO_UNITS = {
    "us": timedelta(microseconds=1),
    "µs": timedelta(microseconds=1),
    "ms": timedelta(milliseconds=1),
    "s": timedelta(seconds=1),
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
}
DAYS = {"d": 1, "w": 7}
# Grafana's own macros that no EventLens dashboard uses (yet): named so a failure says so.
NOT_EMULATED = {
    "__timeEpoch",
    "__unixEpochNanoFilter",
    "__unixEpochNanoFrom",
    "__unixEpochNanoTo",
    "__unixEpochGroup",
    "__unixEpochGroupAlias",
}


class GrafanaQueryError(Exception):
    """Grafana would not run this query, or the tests cannot say what it would run."""


@dataclass(frozen=True)
class TimeRange:
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Option:
    text: str
    value: str


@dataclass(frozen=True)
class Variable:
    name: str
    query: str
    include_all: bool = False
    multi: bool = False
    all_value: str | None = None


@dataclass(frozen=True)
class Selection:
    """A variable's current value: one option's value, several (multi), or `ALL`."""

    variable: Variable
    value: str | tuple[str, ...]
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Target:
    panel: str
    panel_type: str
    ref_id: str
    raw_sql: str
    format: str


@dataclass(frozen=True)
class Dashboard:
    path: Path
    uid: str
    variables: tuple[Variable, ...]
    targets: tuple[Target, ...]
    panels: tuple[dict[str, Any], ...] = field(repr=False)

    def target(self, panel_title: str) -> Target:
        [found] = [t for t in self.targets if t.panel == panel_title]
        return found


def load_dashboard(path: Path) -> Dashboard:
    data = json.loads(path.read_text())
    panels = tuple(_panels(data.get("panels", [])))
    variables = tuple(
        Variable(
            name=v["name"],
            query=v["query"] if isinstance(v["query"], str) else v["query"]["rawSql"],
            include_all=bool(v.get("includeAll")),
            multi=bool(v.get("multi")),
            all_value=v.get("allValue") or None,
        )
        for v in data.get("templating", {}).get("list", [])
    )
    targets = tuple(
        Target(
            panel=panel["title"],
            panel_type=panel["type"],
            ref_id=target["refId"],
            raw_sql=target["rawSql"],
            format=target.get("format", "time_series"),
        )
        for panel in panels
        for target in panel.get("targets", [])
    )
    return Dashboard(path, data["uid"], variables, targets, panels)


def _panels(panels: Sequence[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every panel, those inside collapsed rows too."""
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def options_from(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> tuple[Option, ...]:
    """A query variable's options from its query's result: `__text` and `__value` columns,
    else every value of every column; one option per text, the first kept."""
    if "__text" in columns and "__value" in columns:
        text, value = columns.index("__text"), columns.index("__value")
        found = [Option(str(row[text]), str(row[value])) for row in rows]
    else:
        found = [Option(str(row[i]), str(row[i])) for i in range(len(columns)) for row in rows]
    kept: dict[str, Option] = {}
    for option in found:
        kept.setdefault(option.text, option)
    return tuple(kept.values())


def replace_variables(sql: str, selections: Mapping[str, Selection]) -> str:
    """What the browser sends: each variable replaced, as the PostgreSQL data source
    formats it. Grafana's own `$__...` names are left for the server."""

    def replaced(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        if match.group(5):
            raise GrafanaQueryError(f"field paths are not emulated: {match.group(0)}")
        if name.startswith("__"):
            return match.group(0)
        if name not in selections:
            raise GrafanaQueryError(f"unknown variable ${name} in: {sql}")
        return _formatted(selections[name], match.group(3) or match.group(6), selections)

    return VARIABLE.sub(replaced, sql)


def _formatted(selection: Selection, form: str | None, selections: Mapping[str, Selection]) -> str:
    variable, value = selection.variable, selection.value
    values: str | tuple[str, ...] = value
    if value == ALL or value == (ALL,):
        if variable.all_value and form not in ("text", "percentencode"):
            # A custom "All" value is inserted as written, whatever the format.
            return replace_variables(variable.all_value, selections)
        values = tuple(option.value for option in selection.options)
    if form is None:
        return _sql_datasource_format(values, variable)
    if form == "sqlstring":
        return ",".join(_quoted(v) for v in _as_tuple(values))
    if form == "raw":
        return ",".join(_as_tuple(values))
    raise GrafanaQueryError(f"variable format {form!r} is not emulated")


def _sql_datasource_format(values: str | tuple[str, ...], variable: Variable) -> str:
    """The SQL data sources quote a value only when the variable can hold several."""
    if isinstance(values, str):
        if variable.multi or variable.include_all:
            return _quoted(values)
        return values.replace("'", "''")
    return ",".join(_quoted(v) for v in values)


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _as_tuple(values: str | tuple[str, ...]) -> tuple[str, ...]:
    return (values,) if isinstance(values, str) else values


def expand_macros(sql: str, time_range: TimeRange, interval: timedelta) -> str:
    """What the PostgreSQL data source runs: `$__interval` and the macros replaced."""
    sql = sql.replace("$__interval_ms", str(interval // timedelta(milliseconds=1)))
    sql = sql.replace("$__interval", format_interval(interval))
    sql = sql.replace("$__unixEpochFrom()", str(int(time_range.start.timestamp())))
    sql = sql.replace("$__unixEpochTo()", str(int(time_range.end.timestamp())))

    def expanded(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "__timeGroup":
            # Before Grafana 5.3 the macro added the alias; a "," right after it still does.
            end = sql.find(match.group(0)) + len(match.group(0))
            if sql[end : end + 1] == ",":
                name = "__timeGroupAlias"
        args = [arg.strip(" ") for arg in match.group(2).split(",")]
        return _macro(name, args, time_range)

    return MACRO.sub(expanded, sql)


def _macro(name: str, args: list[str], time_range: TimeRange) -> str:
    start, end = rfc3339_nano(time_range.start), rfc3339_nano(time_range.end)
    if name == "__time":
        return f'{args[0]} AS "time"'
    if name == "__timeFilter":
        return f"{args[0]} BETWEEN '{start}' AND '{end}'"
    if name == "__timeFrom":
        return f"'{start}'"
    if name == "__timeTo":
        return f"'{end}'"
    if name == "__timeGroup":
        if len(args) < 2:
            raise GrafanaQueryError(f"macro {name} needs a time column and an interval")
        if len(args) == 3:
            raise GrafanaQueryError("the fill argument of $__timeGroup is not emulated")
        seconds = go_float(parse_interval(args[1].strip("'")).total_seconds())
        return f"floor(extract(epoch from {args[0]})/{seconds})*{seconds}"
    if name == "__timeGroupAlias":
        return _macro("__timeGroup", args, time_range) + ' AS "time"'
    if name == "__unixEpochFilter":
        first, last = int(time_range.start.timestamp()), int(time_range.end.timestamp())
        return f"{args[0]} >= {first} AND {args[0]} <= {last}"
    if name in NOT_EMULATED:
        raise GrafanaQueryError(f"macro ${name} is Grafana's but not emulated by the tests")
    raise GrafanaQueryError(f'unknown macro "{name}"')


def grafana_sql(
    sql: str, selections: Mapping[str, Selection], time_range: TimeRange, interval: timedelta
) -> str:
    return expand_macros(replace_variables(sql, selections), time_range, interval)


def rfc3339_nano(moment: datetime) -> str:
    """Go's time.RFC3339Nano of the moment in UTC: no trailing zeros in the fraction."""
    utc = moment.astimezone(UTC)
    fraction = f"{utc.microsecond:06d}".rstrip("0")
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def parse_interval(text: str) -> timedelta:
    """Grafana's gtime.ParseInterval: `5m`, `1h`, `1d`, `1w`, `1h30m`, `20ms`."""
    days = DATE_UNIT.match(text)
    if days:
        return timedelta(days=int(days.group(1)) * DAYS[days.group(2)])
    parts = GO_DURATION.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise GrafanaQueryError(f"error parsing interval {text}")
    return sum((float(number) * GO_UNITS[unit] for number, unit in parts), timedelta())


def format_interval(interval: timedelta) -> str:
    """Grafana's gtime.FormatInterval: the largest unit only, rounded down."""
    units = (
        ("y", timedelta(days=365)),
        ("d", timedelta(days=1)),
        ("h", timedelta(hours=1)),
        ("m", timedelta(minutes=1)),
        ("s", timedelta(seconds=1)),
        ("ms", timedelta(milliseconds=1)),
    )
    for unit, size in units:
        if interval >= size:
            return f"{interval // size}{unit}"
    return "1ms"


def go_float(value: float) -> str:
    """A float64 as Go's %v prints it: the shortest digits, an exponent from 1e+06 on."""
    if value == 0:
        return "0"
    _, digit_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # where the decimal point falls among the digits
    minus = "-" if value < 0 else ""
    power = point - 1
    if power < -4 or power >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{minus}{mantissa}e{'+' if power >= 0 else '-'}{abs(power):02d}"
    if point <= 0:
        return f"{minus}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return minus + digits + "0" * (point - len(digits))
    return f"{minus}{digits[:point]}.{digits[point:]}"
