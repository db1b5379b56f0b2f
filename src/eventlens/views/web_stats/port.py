"""The port the Stats API runs its queries through: a web-analytics engine that answers
`Breakdown`s for a site. PostgreSQL's read models answer them today (`PostgresWebStats`); a
columnar engine fed from the event topic can answer the same without the API changing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol

from eventlens.domain.stats_query import Breakdown, Page, Site


class WebStatsQueries(Protocol):
    async def breakdown(self, site: Site, breakdown: Breakdown) -> Page:
        """The breakdown's rows, ordered and paged, with the number of rows before paging."""
        ...

    async def first_day(self, site: Site) -> date | None:
        """The site's first day with events in its time zone (for `date_range: "all"`)."""
        ...

    async def current_visitors(self, site: Site, now: datetime) -> int:
        """The site's distinct visitors in the five minutes before `now`."""
        ...
