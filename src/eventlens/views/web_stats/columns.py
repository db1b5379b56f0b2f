"""Each dimension as an SQL expression over `event_logs e` and `visits v`, giving the value
the API shows: Plausible's label where a value is missing ("Direct / None", "(not set)",
"(none)"), an empty string where Plausible has none. Visit attributes are always the visit's
(its entry's), read from `visits`, as Plausible copies them onto each event of a session."""

from __future__ import annotations

from typing import Any, Literal

import orjson
from psycopg import sql

from eventlens.domain.stats_query.countries import country_names
from eventlens.domain.stats_query.dates import TimeRange
from eventlens.domain.stats_query.vocabulary import GOAL, prop_key

Table = Literal["events", "visits"]

NO_SOURCE = "Direct / None"
NOT_SET = "(not set)"
NO_PROPERTY = "(none)"
# visit dimension -> (column of `visits`, label of a missing value)
LABELLED = {
    "visit:source": ("source", NO_SOURCE),
    "visit:channel": ("channel", "Direct"),
    "visit:utm_medium": ("utm_medium", NOT_SET),
    "visit:utm_source": ("utm_source", NOT_SET),
    "visit:utm_campaign": ("utm_campaign", NOT_SET),
    "visit:utm_content": ("utm_content", NOT_SET),
    "visit:utm_term": ("utm_term", NOT_SET),
    "visit:device": ("device", NOT_SET),
    "visit:screen": ("device", NOT_SET),
    "visit:browser": ("browser", NOT_SET),
    "visit:browser_version": ("browser_version", NOT_SET),
    "visit:os": ("os", NOT_SET),
    "visit:os_version": ("os_version", NOT_SET),
    "visit:entry_page": ("entry_page", ""),
    "visit:exit_page": ("exit_page", ""),
    "visit:entry_page_hostname": ("hostname", ""),
    "visit:country": ("country", ""),
    "visit:region": ("region", ""),
    "visit:region_name": ("region", ""),
    "visit:city": ("city", ""),
    "visit:city_name": ("city", ""),
}
EVENT_COLUMNS = {"event:page": "path", "event:hostname": "hostname"}
# The referrer as Plausible shows it: without scheme, `www.`, query, fragment or final `/`.
CLEAN_REFERRER = (
    "rtrim(regexp_replace(regexp_replace(split_part(split_part(v.referrer, '#', 1), '?', 1), "
    "'^[a-zA-Z][a-zA-Z0-9+.-]*://', ''), '^www\\.', ''), '/')"
)


class Params:
    """Query parameters, each named once and referred to by placeholder."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any) -> sql.Placeholder:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return sql.Placeholder(name)


def labelled(column: sql.Composable, label: str) -> sql.Composable:
    return sql.SQL("coalesce(nullif({}, ''), {})").format(column, sql.Literal(label))


def dimension(name: str, table: Table, params: Params, time_range: TimeRange) -> sql.Composable:
    """The value of dimension `name`; `table` says whose time a time dimension is (an event's
    moment, or a visit's last event)."""
    if name.startswith("time:"):
        return time_bucket(name, table, params, time_range)
    if name in LABELLED:
        column, label = LABELLED[name]
        return labelled(sql.Identifier("v", column), label)
    if name == "visit:referrer":
        return labelled(sql.SQL(CLEAN_REFERRER), NO_SOURCE)
    if name == "visit:country_name":
        names = params.add(orjson.dumps(country_names()).decode())
        return sql.SQL("coalesce({}::jsonb ->> v.country, v.country, '')").format(names)
    if name in EVENT_COLUMNS:
        return labelled(sql.Identifier("e", EVENT_COLUMNS[name]), "")
    if name == GOAL:
        return sql.SQL("g.name")  # the goal an event reaches (`scopes.Scopes.goal_join`)
    if name == "event:name":
        return sql.SQL("CASE e.event_type WHEN 'page_view' THEN 'pageview' ELSE e.event_type END")
    key = prop_key(name)
    if key is not None:
        return labelled(raw_property(key, params), NO_PROPERTY)
    raise ValueError(f"no column for dimension {name}")


def raw_property(key: str, params: Params) -> sql.Composable:
    """A custom property's value as text (NULL when the event does not have it)."""
    return sql.SQL("(e.properties ->> {})").format(params.add(key))


def local_time(table: Table, params: Params, time_range: TimeRange) -> sql.Composable:
    column = sql.SQL('e."timestamp"') if table == "events" else sql.SQL("v.ended_at")
    return sql.SQL("({} AT TIME ZONE {})").format(column, params.add(time_range.timezone))


def time_bucket(name: str, table: Table, params: Params, time_range: TimeRange) -> sql.Composable:
    if name == "time:hour" and table == "visits":
        return sql.SQL("h.hour")
    local = local_time(table, params, time_range)
    if name == "time:hour":
        return sql.SQL("date_trunc('hour', {})").format(local)
    if name == "time:day":
        return sql.SQL("{}::date").format(local)
    if name == "time:week":
        first = params.add(time_range.first_date)
        return sql.SQL("greatest(date_trunc('week', {})::date, {}::date)").format(local, first)
    return sql.SQL("date_trunc('month', {})::date").format(local)


def visit_hours(params: Params, time_range: TimeRange) -> sql.Composable:
    """Each hour (in the site's zone) a visit was active in, within the range, as `h.hour`:
    a visit counts in every hour it spans, as Plausible's hourly sessions do."""
    zone = params.add(time_range.timezone)
    first = params.add(time_range.first)
    last = params.add(time_range.last)
    return sql.SQL(
        "CROSS JOIN LATERAL generate_series("
        "date_trunc('hour', greatest(v.started_at, {first}) AT TIME ZONE {zone}), "
        "date_trunc('hour', least(v.ended_at, {last}) AT TIME ZONE {zone}), "
        "interval '1 hour') AS h(hour)"
    ).format(first=first, last=last, zone=zone)
