"""Web analytics in GraphQL: the Stats API v2 query, and current visitors (asked, or pushed)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from eventlens.access.readers import readable_sites
from eventlens.domain.errors import PermissionDenied
from eventlens.domain.stats_query import Site, read_query
from eventlens.graphql.context import actor, stats_reader, still_signed_in
from eventlens.graphql.live import asking, read_limits
from eventlens.runtime.platform import Platform
from eventlens.views.web_stats.postgres import PostgresWebStats
from eventlens.views.web_stats.runner import run_query
from eventlens.views.web_stats.sites import find_site

PUSH_INTERVAL = 10.0  # seconds: the five-minute window moves even when nothing arrives
MIN_INTERVAL = 1.0  # seconds between two counts


def platform_of(info: Info) -> Platform:
    platform: Platform = info.context["platform"]
    return platform


def site_of(info: Info, site_id: str) -> Site:
    site = find_site(platform_of(info).cache.adaptors(), site_id)
    if not readable_sites(stats_reader(info)).allows(site.container_id):
        raise PermissionDenied(f"this token does not read the stats of {site_id}")
    return site


def reader_key(info: Info) -> str:
    """Whose costly reads these are: a user's, or a shared link's site's."""
    reader = stats_reader(info)
    return reader.username or f"shared link to {reader.site}"


@strawberry.type
class WebQuery:
    @strawberry.field(
        description="Plausible's Stats API v2 query (the body of POST /api/v2/query), "
        "answered with the same JSON: results, meta and query."
    )
    async def web_stats(self, info: Info, query: JSON) -> JSON:
        stats_query = read_query(query)
        site = site_of(info, stats_query.site_id)
        engine = PostgresWebStats(platform_of(info).pool)
        async with read_limits(info).costly_read(reader_key(info)):
            answer: Any = await run_query(engine, site, stats_query, datetime.now(UTC))
        return cast("JSON", answer)

    @strawberry.field(description="A site's distinct visitors in the last five minutes.")
    async def current_visitors(self, info: Info, site_id: str) -> int:
        site = site_of(info, site_id)
        return await PostgresWebStats(platform_of(info).pool).current_visitors(
            site, datetime.now(UTC)
        )


@strawberry.type
class WebSubscription:
    @strawberry.subscription(
        description="A site's current visitors now, then whenever events arrive (and every "
        "ten seconds, as the five-minute window moves)."
    )
    async def current_visitors(self, info: Info, site_id: str) -> AsyncGenerator[int, None]:
        actor(info)
        platform = platform_of(info)
        site = find_site(platform.cache.adaptors(), site_id)
        engine = PostgresWebStats(platform.pool)
        seen = platform.feed.version
        last: int | None = None
        key = ("current_visitors", site.container_id)
        async with asking(info) as questions:
            while True:
                # The window moves with time: subscribers to a site share one count a second.
                moment = (int(time.monotonic() / MIN_INTERVAL), seen)
                count = await questions.answer(
                    key, moment, lambda: engine.current_visitors(site, datetime.now(UTC))
                )
                if count != last:
                    yield count
                    last = count
                await asyncio.sleep(MIN_INTERVAL)  # a busy site changes the read models often
                seen = await platform.feed.wait_for_change(seen, PUSH_INTERVAL)
                if not await still_signed_in(info):
                    return
