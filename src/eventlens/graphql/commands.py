"""Mutations run the same commands as REST: on a worker thread (a command waits on the
catalog's database), then this process's catalog cache reads what it recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from strawberry.types import Info

from eventlens.domain.errors import DomainError, NotFound
from eventlens.domain.stats_query import Site, StatsQueryError
from eventlens.eventstore.catalog import Catalog
from eventlens.runtime.platform import Platform
from eventlens.views.web_stats.sites import find_site

C = TypeVar("C")
R = TypeVar("R")


def _platform(info: Info) -> Platform:
    platform: Platform = info.context["platform"]
    return platform


async def run_command(info: Info, handler: Callable[[C, Catalog], R], command: C) -> R:
    """The command's result; a refusal names its field as GraphQL spells it."""
    platform = _platform(info)

    def run() -> R:
        result = handler(command, platform.catalog)
        platform.cache.refresh()
        return result

    try:
        return await asyncio.to_thread(run)
    except DomainError as error:
        raise camel_field(error) from None


def site_named(info: Info, site_id: str) -> Site:
    """The site a domain or container id names, or NotFound naming `siteId`."""
    try:
        return find_site(_platform(info).cache.adaptors(), site_id)
    except StatsQueryError:
        raise NotFound(
            f"siteId {site_id!r} is no adaptor's container id or website", field="siteId"
        ) from None


def camel_field(error: DomainError) -> DomainError:
    """The error naming the GraphQL spelling of its field (`webhook_url` -> `webhookUrl`)."""
    if error.field and "_" in error.field:
        head, *rest = error.field.split("_")
        error.field = head + "".join(part.capitalize() for part in rest)
    return error
