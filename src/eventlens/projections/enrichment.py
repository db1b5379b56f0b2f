"""The web-analytics fields of `event_logs`, derived from the facts an event was recorded with.

An event keeps the raw User-Agent, URL and referrer it came with; browser, OS, device,
hostname, path, campaign, source and channel are derived here, when it is projected, so a
replay with a newer parser or referrer database derives them anew. Only the visitor id and
the place are computed at ingest: their input, the client's address, is never kept.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from eventlens.domain.acquisition import acquisition
from eventlens.domain.pages import page
from eventlens.domain.user_agents import software
from eventlens.read_models import WEB_COLUMNS

ENRICHED_COLUMNS = WEB_COLUMNS  # in the order `enrich` gives them
ENRICHED_DDL = "".join(
    f"ALTER TABLE event_logs ADD COLUMN IF NOT EXISTS {name} "
    f"{'integer' if name == 'screen_width' else 'text'};\n"
    for name in ENRICHED_COLUMNS
)
NOTHING: tuple[str | None, ...] = (None,) * len(ENRICHED_COLUMNS)
_NO_PAGE: tuple[str | None, ...] = (None,) * 11
_NO_SOFTWARE: tuple[str | None, ...] = (None,) * 5


def enrich(data: dict[str, Any]) -> tuple[str | None, ...]:
    """The enriched columns of a stored event's payload, as text (None: unknown)."""
    get = data.get
    has_page = "url" in data
    has_client = "user_agent" in data
    if not has_page and not has_client:
        return NOTHING  # an event from before enrichment, or a server's without either
    if has_page:
        visited = _visited(get("url"), get("referrer"))
        width = get("screen_width")
    else:
        visited, width = _NO_PAGE, None
    agent = get("user_agent")
    used = _used(agent) if has_client and agent else _NO_SOFTWARE
    return (
        get("visitor_id"),
        *visited,
        *used,
        None if width is None else str(width),
        get("country"),
        get("region"),
        get("city"),
    )


# A visit's events share their referrer and most pages are viewed again and again: the page's
# columns are made once per URL and referrer, the software's once per User-Agent.
@lru_cache(maxsize=1 << 14)
def _visited(url: str | None, referrer: str | None) -> tuple[str | None, ...]:
    where = page(url, hash_routing=True)  # a sent URL has a fragment only in hash mode
    source, channel = acquisition(referrer, url)
    return (
        url,
        where.hostname,
        where.path,
        referrer,
        source,
        channel,
        where.utm_source,
        where.utm_medium,
        where.utm_campaign,
        where.utm_content,
        where.utm_term,
    )


@lru_cache(maxsize=1 << 13)
def _used(agent: str) -> tuple[str | None, ...]:
    return tuple(v or None for v in software(agent))
