"""Funnels and retention in GraphQL: the bodies of `POST /api/v2/funnel` and
`POST /api/v2/retention`, answered with the same JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from eventlens.domain.funnels import read_funnel_query
from eventlens.domain.retention import read_retention_query
from eventlens.graphql.live import read_limits
from eventlens.graphql.web import platform_of, reader_key, site_of
from eventlens.views.conversions import run_funnel, run_retention


@strawberry.type
class ConversionsQuery:
    @strawberry.field(
        description="A funnel (the body of POST /api/v2/funnel), answered with the same "
        "JSON: each step's visitors, conversion rate and drop-off, and the query as run."
    )
    async def funnel(self, info: Info, query: JSON) -> JSON:
        funnel_query = read_funnel_query(query)
        site = site_of(info, funnel_query.site_id)
        async with read_limits(info).costly_read(reader_key(info)):
            answer: Any = await run_funnel(
                platform_of(info).pool, site, funnel_query, datetime.now(UTC)
            )
        return cast("JSON", answer)

    @strawberry.field(
        description="Retention cohorts of identified users only (the body of "
        "POST /api/v2/retention), answered with the same JSON."
    )
    async def retention(self, info: Info, query: JSON) -> JSON:
        retention_query = read_retention_query(query)
        site = site_of(info, retention_query.site_id)
        async with read_limits(info).costly_read(reader_key(info)):
            answer: Any = await run_retention(
                platform_of(info).pool, site, retention_query, datetime.now(UTC)
            )
        return cast("JSON", answer)
