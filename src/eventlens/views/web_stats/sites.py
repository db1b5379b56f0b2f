"""The site a stats query names: an adaptor's container id, or one of its websites' hosts."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.pages import sanitized_hostname
from eventlens.domain.stats_query import Site, StatsQueryError
from eventlens.views.goals import site_goals


def find_site(adaptors: Iterable[Adaptor], site_id: str) -> Site:
    """The site a query names: an adaptor's container id, or the host of one of its websites
    (as Plausible names a site by its domain: lower-case, without `www.`)."""
    adaptors = list(adaptors)
    found = next((a for a in adaptors if a.container_id == site_id), None)
    if found is None:
        wanted = sanitized_hostname(site_id)
        found = next(
            (
                adaptor
                for adaptor in sorted(adaptors, key=lambda a: not a.active)
                for url in adaptor.website_urls
                if wanted is not None and sanitized_hostname(urlsplit(url).hostname) == wanted
            ),
            None,
        )
    if found is None:
        raise StatsQueryError(
            f"Site does not exist or user does not have sufficient access: site_id "
            f"{orjson.dumps(site_id).decode()} is no adaptor's container id or website.",
            field="site_id",
        )
    return Site(found.container_id, found.schema_name, _timezone(found), site_goals(found))


def _timezone(adaptor: Adaptor) -> str:
    try:
        ZoneInfo(adaptor.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"  # a zone this machine's tz database lacks
    return adaptor.timezone
