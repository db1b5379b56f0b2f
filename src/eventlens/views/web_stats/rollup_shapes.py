"""Which breakdowns the rollups answer: the top graph and unfiltered breakdowns over whole days.

The rollups (`visit_rollups`, `page_rollups`) sum each site's visits and pages per day in its
time zone, so they answer a breakdown with no filter, over whole days, of the visit metrics,
grouped by nothing, by a day, week or month, by one visit attribute (a country's name and
code are one), or (visitors and page views) by page. Anything else is answered from `visits`
and `event_logs`.
"""

from __future__ import annotations

from eventlens.domain.stats_query import Breakdown
from eventlens.domain.stats_query.dates import days

# The API's visit dimensions -> the rolled-up attribute (a column of `visits`).
VISIT_DIMENSIONS = {
    "visit:source": "source",
    "visit:channel": "channel",
    "visit:referrer": "referrer",
    "visit:utm_source": "utm_source",
    "visit:utm_medium": "utm_medium",
    "visit:utm_campaign": "utm_campaign",
    "visit:utm_content": "utm_content",
    "visit:utm_term": "utm_term",
    "visit:device": "device",
    "visit:screen": "device",
    "visit:browser": "browser",
    "visit:browser_version": "browser_version",
    "visit:os": "os",
    "visit:os_version": "os_version",
    "visit:country": "country",
    "visit:country_name": "country",
    "visit:region": "region",
    "visit:region_name": "region",
    "visit:city": "city",
    "visit:city_name": "city",
    "visit:entry_page": "entry_page",
    "visit:exit_page": "exit_page",
    "visit:entry_page_hostname": "hostname",
}
PAGE = "event:page"
TIME_BUCKETS = ("time:day", "time:week", "time:month")
METRICS = frozenset(
    {"visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration"}
)
# A page's rows hold its page views and visitors; an exit page's hold no page views.
PAGE_METRICS = frozenset({"visitors", "pageviews"})
EXIT_PAGE_METRICS = frozenset(
    {"visitors", "visits", "views_per_visit", "bounce_rate", "visit_duration"}
)


def rolled_up(breakdown: Breakdown) -> bool:
    """Can the rollups answer `breakdown` (provided they are in the site's time zone)?"""
    if breakdown.filters or not set(breakdown.metrics) <= METRICS:
        return False
    span = breakdown.time_range
    if days(span.first_date, span.last_date, span.timezone) != span:
        return False  # a range that cuts a day
    if not breakdown.dimensions:
        return True
    dimension = breakdown.dimensions[0]
    if len(breakdown.dimensions) > 1:  # a country's name and code: one attribute
        attributes = {VISIT_DIMENSIONS.get(d) for d in breakdown.dimensions}
        if len(attributes) > 1 or None in attributes:
            return False
    if dimension == PAGE:
        return set(breakdown.metrics) <= PAGE_METRICS
    if VISIT_DIMENSIONS.get(dimension) == "exit_page":
        return set(breakdown.metrics) <= EXIT_PAGE_METRICS
    return dimension in VISIT_DIMENSIONS or dimension in TIME_BUCKETS
