"""Live stats and new events, pushed. Each subscription holds one of its user's subscriptions
(`ReadLimits`); those asking the same question share one query per change of the read models
(`SharedReads`), run in one of the asking user's costly-read slots; a heartbeat with nothing
changed queries nothing."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import asdict
from functools import partial
from typing import Any

import orjson
import strawberry
from strawberry.types import Info

from eventlens import views
from eventlens.graphql.context import actor, still_signed_in
from eventlens.graphql.shared_reads import SharedReads
from eventlens.graphql.types import Event, EventFilterInput, Stats, StatsInput
from eventlens.runtime.platform import Platform
from eventlens.runtime.read_limits import ReadLimits
from eventlens.views.ranges import stats_filter

HEARTBEAT = 15.0  # seconds between two checks when nothing changed
NEWEST = 200  # events a push reads: a subscriber keeps those newer than its last


def _platform(info: Info) -> Platform:
    platform: Platform = info.context["platform"]
    return platform


def read_limits(info: Info) -> ReadLimits:
    limits: ReadLimits = info.context["limits"]
    return limits


def stats_of(value: StatsInput | None) -> views.StatsFilter:
    value = value or StatsInput()
    return stats_filter(
        value.days,
        value.start,
        value.end,
        schema_id=value.schema_id,
        adaptor_id=value.adaptor_id,
        event_type=value.event_type,
        hours=value.hours,
    )


def question(kind: str, value: object) -> Hashable:
    """A filter as a key: equal filters ask the same question."""
    return kind, orjson.dumps(asdict(value), option=orjson.OPT_SORT_KEYS)  # type: ignore[call-overload]


class Asking:
    """One subscription's questions: it follows the one it asks last, and its queries run in
    one of its user's costly-read slots."""

    def __init__(self, shared: SharedReads, limits: ReadLimits, user: str) -> None:
        self.shared = shared
        self.limits = limits
        self.user = user
        self.key: Hashable | None = None

    async def answer(self, key: Hashable, version: Any, read: Callable[[], Awaitable[Any]]) -> Any:
        if key != self.key:
            self.shared.follow(key)
            self.stop()
            self.key = key

        async def in_a_slot() -> Any:
            async with self.limits.costly_read(self.user, patient=True):
                return await read()

        return await self.shared.answer(key, version, in_a_slot)

    def stop(self) -> None:
        if self.key is not None:
            self.shared.unfollow(self.key)
            self.key = None


@asynccontextmanager
async def asking(info: Info) -> AsyncIterator[Asking]:
    """Hold one of the user's subscriptions while the block runs."""
    user = actor(info).username
    limits = read_limits(info)
    async with limits.subscription(user):
        questions = Asking(info.context["shared_reads"], limits, user)
        try:
            yield questions
        finally:
            questions.stop()


async def read_stats(platform: Platform, f: views.StatsFilter) -> Stats:
    async with platform.pool.connection() as conn:
        return Stats.of(await views.stats(conn, f, platform.sketches), f)


async def _newest(platform: Platform, f: views.EventFilter) -> list[dict[str, Any]]:
    async with platform.pool.connection() as conn:
        rows, _ = await views.events(conn, f, NEWEST)
    return rows


def _newer_than(rows: list[dict[str, Any]], newest: dict[str, Any] | None) -> list[dict[str, Any]]:
    if newest is None:
        return rows
    key = (newest["received_at"], str(newest["event_id"]))
    return [r for r in rows if (r["received_at"], str(r["event_id"])) > key]


@strawberry.type
class EventsSubscription:
    @strawberry.subscription(
        description="Stats now, then again each time the read models change (pushed)."
    )
    async def live_stats(
        self,
        info: Info,
        filter: StatsInput | None = None,
    ) -> AsyncGenerator[Stats, None]:
        actor(info)
        platform = _platform(info)
        seen = platform.feed.version
        # A relative range ("last N days") moves with time: resolved again on every push, and
        # asked again when it moved even if nothing changed.
        async with asking(info) as questions:
            last: tuple[views.StatsFilter, int] | None = None
            while True:
                f = stats_of(filter)
                if last != (f, seen):
                    yield await questions.answer(
                        question("stats", f), seen, partial(read_stats, platform, f)
                    )
                    last = (f, seen)
                seen = await platform.feed.wait_for_change(seen, HEARTBEAT)
                if not await still_signed_in(info):
                    return

    @strawberry.subscription(description="Each new event as it reaches the master log.")
    async def new_events(
        self,
        info: Info,
        filter: EventFilterInput | None = None,
    ) -> AsyncGenerator[Event, None]:
        actor(info)
        platform = _platform(info)
        f = (filter or EventFilterInput()).to_view()
        seen = platform.feed.version
        key = question("events", f)
        async with asking(info) as questions:
            rows = await questions.answer(key, seen, lambda: _newest(platform, f))
            newest: dict[str, Any] | None = rows[0] if rows else None
            while True:
                changed = await platform.feed.wait_for_change(seen, HEARTBEAT)
                if not await still_signed_in(info):
                    return
                if changed == seen:  # a heartbeat: nothing new to look for
                    continue
                seen = changed
                rows = await questions.answer(key, seen, lambda: _newest(platform, f))
                fresh = _newer_than(rows, newest)
                for row in reversed(fresh):
                    yield Event.of(row)
                if fresh:
                    newest = fresh[0]
