"""A site's retention period in GraphQL: read on the adaptor by anyone signed in, set or
cleared by admins (as `GET`/`PUT /api/adaptors/{id}/retention`)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from eventlens.commands.set_retention import SetRetention, set_retention
from eventlens.domain.retention_period import MAX_DAYS, Retention
from eventlens.graphql.commands import run_command
from eventlens.graphql.context import admin
from eventlens.runtime.platform import Platform


@strawberry.type(description="How long a site's tracked events are kept.")
class RetentionPeriod:
    container_id: str
    days: int | None = strawberry.field(
        description=f"1 to {MAX_DAYS} whole days; null keeps the events forever"
    )
    expired_before: datetime | None = strawberry.field(
        description="Events received before this were removed by the last expiry"
    )

    @classmethod
    def of(cls, container_id: str, retention: Retention | None) -> RetentionPeriod:
        if retention is None:
            return cls(container_id=container_id, days=None, expired_before=None)
        return cls(
            container_id=container_id, days=retention.days, expired_before=retention.expired_before
        )


def _platform(info: Info) -> Platform:
    platform: Platform = info.context["platform"]
    return platform


async def adaptor_retention(root: Any, info: Info) -> RetentionPeriod:
    """The adaptor's period: only signed-in users read adaptors, so no other check."""
    found = await asyncio.to_thread(_platform(info).catalog.retention, root.container_id)
    return RetentionPeriod.of(root.container_id, found)


async def _set(info: Info, container_id: str, days: Any) -> RetentionPeriod:
    command = SetRetention(admin(info), container_id, days)
    return RetentionPeriod.of(container_id, await run_command(info, set_retention, command))


@strawberry.type
class RetentionMutation:
    @strawberry.mutation(
        description=f"Keep a site's tracked events 1 to {MAX_DAYS} days (admins only); "
        "older events are removed by the next daily expiry."
    )
    async def set_retention(self, info: Info, container_id: str, days: int) -> RetentionPeriod:
        return await _set(info, container_id, days)

    @strawberry.mutation(description="Keep a site's tracked events forever (admins only).")
    async def clear_retention(self, info: Info, container_id: str) -> RetentionPeriod:
        return await _set(info, container_id, None)
