"""The Stats API's words: its metrics and dimensions, and which table each belongs to.

Plausible keeps events and sessions (visits) apart: a metric or dimension is an event's, a
visit's, or either's (`partition`). Visit attributes other than the entry and exit pages are
known on each event too (they are its visit's), so they go with either.
"""

from __future__ import annotations

from typing import Literal

Table = Literal["event", "session", "either"]

METRICS = (
    "visitors",
    "visits",
    "pageviews",
    "views_per_visit",
    "bounce_rate",
    "visit_duration",
    "events",
    "percentage",
    "conversion_rate",
    "group_conversion_rate",
    "time_on_page",
    "scroll_depth",
    "total_revenue",
    "average_revenue",
)
METRIC_TABLES: dict[str, Table] = {
    "visitors": "either",
    "visits": "either",
    "percentage": "either",
    "conversion_rate": "either",
    "group_conversion_rate": "either",
    "pageviews": "event",
    "events": "event",
    "time_on_page": "event",
    "scroll_depth": "event",
    "total_revenue": "event",
    "average_revenue": "event",
    "bounce_rate": "session",
    "visit_duration": "session",
    "views_per_visit": "session",
}

EVENT_PROPERTIES = ("name", "page", "hostname")
VISIT_PROPERTIES = (
    "source",
    "channel",
    "referrer",
    "utm_medium",
    "utm_source",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "screen",
    "device",
    "browser",
    "browser_version",
    "os",
    "os_version",
    "country",
    "region",
    "city",
    "country_name",
    "region_name",
    "city_name",
    "entry_page",
    "exit_page",
    "entry_page_hostname",
    "exit_page_hostname",
)
SESSION_ONLY = frozenset(
    {
        "visit:entry_page",
        "visit:exit_page",
        "visit:entry_page_hostname",
        "visit:exit_page_hostname",
    }
)
TIME_DIMENSIONS = ("time", "time:month", "time:week", "time:day", "time:hour")
GOAL = "event:goal"
PROPS = "event:props:"
SEGMENT = "segment"


def is_property(name: object) -> bool:
    """A dimension that can be filtered on: `event:*`, `visit:*` or a custom property."""
    if not isinstance(name, str):
        return False
    if name.startswith(PROPS):
        return len(name) > len(PROPS)
    kind, _, key = name.partition(":")
    return (kind == "event" and key in EVENT_PROPERTIES) or (
        kind == "visit" and key in VISIT_PROPERTIES
    )


def is_time(name: object) -> bool:
    return name in TIME_DIMENSIONS


def is_dimension(name: object) -> bool:
    return is_property(name) or is_time(name) or name == GOAL


def dimension_table(name: str) -> Table:
    if name.startswith("event:"):
        return "event"
    if name in SESSION_ONLY:
        return "session"
    return "either"


def prop_key(dimension: str) -> str | None:
    """The custom property a dimension names (`event:props:plan` -> `plan`), or None."""
    return dimension[len(PROPS) :] if dimension.startswith(PROPS) else None
