"""`page_rollups`: each site's events per day (in its time zone) and page, for the Stats API's
top pages: page views, and a sketch of the visitors with an event on the page that day.

Counted from events alone (as the raw query counts `event:page`: every event but engagement,
by the page it was on, page views among them), so nothing here changes once added. A batch's
events are counted per UTC minute before its transaction (`web_rollups.RollupRows`), then
per day once the site's zone is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from eventlens.projections.local_days import minute_day

DDL = """
CREATE TABLE IF NOT EXISTS page_rollups (
    container_id    text NOT NULL,
    day             date NOT NULL,
    page            text NOT NULL,
    pageviews       bigint NOT NULL,
    visitors        bigint NOT NULL,
    visitor_sketch  bytea NOT NULL
) WITH (fillfactor = 70);
-- Keyed by a hash of the value: a path or a referrer may be longer than an index entry.
CREATE UNIQUE INDEX IF NOT EXISTS page_rollups_key
    ON page_rollups (container_id, day, (md5(page)::uuid));
"""


class Tally:
    """Page views, and the hashes of the visitors seen."""

    __slots__ = ("pageviews", "visitors")

    def __init__(self) -> None:
        self.pageviews = 0
        self.visitors: set[int] = set()


PageMinutes = dict[tuple[str, str, str], Tally]  # (site, UTC minute, page)
PageDays = dict[tuple[str, date, str], Tally]  # (site, local day, page)


def page_days(minutes: PageMinutes, zones: Mapping[str, str]) -> PageDays:
    """The minutes' counts per day in each site's zone."""
    found: PageDays = {}
    for (container, minute, page), tally in minutes.items():
        zone = zones.get(container)
        if zone is None:
            continue  # a site not rolled up
        key = (container, minute_day(minute, zone), page)
        day = found.get(key)
        if day is None:
            day = found[key] = Tally()
        day.pageviews += tally.pageviews
        day.visitors |= tally.visitors
    return found
