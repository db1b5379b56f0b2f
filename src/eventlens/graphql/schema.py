"""The GraphQL schema: queries over the read models and live subscriptions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.tools import merge_types
from strawberry.types import Info

from eventlens import views
from eventlens.domain.adaptor import Adaptor as AdaptorAggregate
from eventlens.domain.snippet import TRACKER_PATH, render_snippet, render_tag
from eventlens.graphql.alerts import AlertsMutation, AlertsQuery
from eventlens.graphql.audit import AuditQuery
from eventlens.graphql.context import actor, admin
from eventlens.graphql.conversions import ConversionsQuery
from eventlens.graphql.cost import CostBudget
from eventlens.graphql.errors import ShapedErrorsSchema
from eventlens.graphql.execution import PushScopedExecutionContext
from eventlens.graphql.goals import GoalsMutation, GoalsQuery
from eventlens.graphql.live import EventsSubscription, read_limits, read_stats, stats_of
from eventlens.graphql.retention import RetentionMutation
from eventlens.graphql.types import (
    Adaptor,
    Count,
    DatabaseHealth,
    Event,
    EventFilterInput,
    EventPage,
    Me,
    Point,
    ProjectionLag,
    RejectedEvent,
    RejectedPage,
    ReplayRun,
    Resolution,
    Schema,
    SchemaVersion,
    Stats,
    StatsInput,
)
from eventlens.graphql.web import WebQuery, WebSubscription
from eventlens.runtime.platform import Platform

MAX_LIMIT = 1000


def _platform(info: Info) -> Platform:
    platform: Platform = info.context["platform"]
    return platform


_filter = stats_of


@asynccontextmanager
async def costly_read(info: Info) -> AsyncIterator[None]:
    """A read that scans the event tables: one of the user's few at a time (`ReadLimits`)."""
    async with read_limits(info).costly_read(actor(info).username):
        yield


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        from eventlens.domain.errors import InvalidInput

        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


async def _top(info: Info, value: StatsInput | None, dimension: str, limit: int) -> list[Count]:
    actor(info)
    async with costly_read(info), _platform(info).pool.connection() as conn:
        rows = await views.top_values(conn, _filter(value), dimension, _limit(limit))
    return [Count(key=k, count=n) for k, n in rows]


def _snippets(info: Info, adaptor: AdaptorAggregate) -> tuple[str, str]:
    """The adaptor's tag and its inline snippet."""
    request = info.context.get("request")
    base = str(request.base_url) if request is not None else "http://localhost:8000/"
    script_path = _platform(info).settings.tracker_path or TRACKER_PATH
    return (
        render_tag(base, adaptor.container_id, script_path),
        render_snippet(base, adaptor.schema_name, adaptor.container_id),
    )


@strawberry.type
class CatalogAndEventsQuery:
    @strawberry.field(description="The signed-in user.")
    def me(self, info: Info) -> Me:
        who = actor(info)
        return Me(username=who.username, role=who.role.value)

    @strawberry.field(description="Totals, by type and by adaptor, from the rollups.")
    async def stats(self, info: Info, filter: StatsInput | None = None) -> Stats:
        actor(info)
        return await read_stats(_platform(info), _filter(filter))

    @strawberry.field(description="Event counts per minute, hour or day.")
    async def time_series(
        self,
        info: Info,
        resolution: Resolution = Resolution.HOUR,
        filter: StatsInput | None = None,
    ) -> list[Point]:
        actor(info)
        f = _filter(filter)
        async with costly_read(info), _platform(info).pool.connection() as conn:
            points = await views.time_series(conn, f, resolution.value)
        return [Point(bucket=b, count=c) for b, c in points]

    @strawberry.field(description="Events, newest first, with filters and cursor pagination.")
    async def events(
        self,
        info: Info,
        filter: EventFilterInput | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> EventPage:
        actor(info)
        f = (filter or EventFilterInput()).to_view()
        async with costly_read(info), _platform(info).pool.connection() as conn:
            rows, next_cursor = await views.events(conn, f, _limit(limit), cursor)
        return EventPage(items=[Event.of(r) for r in rows], next_cursor=next_cursor)

    @strawberry.field
    async def rejected_events(
        self,
        info: Info,
        schema_id: str | None = None,
        reason: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> RejectedPage:
        actor(info)
        async with costly_read(info), _platform(info).pool.connection() as conn:
            rows, next_cursor = await views.rejected(conn, schema_id, reason, _limit(limit), cursor)
        return RejectedPage(items=[RejectedEvent.of(r) for r in rows], next_cursor=next_cursor)

    @strawberry.field
    def schemas(self, info: Info, include_retired: bool = False) -> list[Schema]:
        actor(info)
        return [
            Schema.of(s)
            for s in _platform(info).cache.schemas()
            if include_retired or not s.retired
        ]

    @strawberry.field
    def schema(self, info: Info, name: str) -> Schema | None:
        actor(info)
        found = _platform(info).cache.schema(name)
        return Schema.of(found) if found else None

    @strawberry.field(
        description="Adaptors with their last-seen time, hourly rate, tag and inline snippet."
    )
    async def adaptors(self, info: Info) -> list[Adaptor]:
        actor(info)
        platform = _platform(info)
        async with platform.pool.connection() as conn:
            activity = await views.adaptor_activity(conn)
        return [
            Adaptor.of(a, activity.get(a.container_id), *_snippets(info, a))
            for a in platform.cache.adaptors()
        ]

    @strawberry.field
    async def adaptor(self, info: Info, container_id: str) -> Adaptor | None:
        actor(info)
        platform = _platform(info)
        found = platform.cache.adaptor(container_id)
        if found is None:
            return None
        async with platform.pool.connection() as conn:
            activity = await views.adaptor_activity(conn)
        return Adaptor.of(found, activity.get(container_id), *_snippets(info, found))

    @strawberry.field(description="A schema's definitions, newest first.")
    async def schema_versions(self, info: Info, name: str) -> list[SchemaVersion]:
        actor(info)
        async with _platform(info).pool.connection() as conn:
            rows = await views.schema_versions(conn, name)
        return [SchemaVersion(**row) for row in rows]

    @strawberry.field(description="Most viewed page paths in the range (whole days).")
    async def top_pages(
        self,
        info: Info,
        filter: StatsInput | None = None,
        limit: int = 10,
    ) -> list[Count]:
        return await _top(info, filter, "page", limit)

    @strawberry.field(description="Most clicked links (link text) in the range (whole days).")
    async def top_links(
        self,
        info: Info,
        filter: StatsInput | None = None,
        limit: int = 10,
    ) -> list[Count]:
        return await _top(info, filter, "link", limit)

    @strawberry.field(description="How far each projection is behind the event store.")
    async def projection_lag(self, info: Info) -> list[ProjectionLag]:
        actor(info)
        lags = await _platform(info).projection_lags()
        return [
            ProjectionLag(
                projection=lag.projection,
                events_behind=lag.events_behind,
                seconds_behind=lag.seconds_behind,
                last_applied_at=lag.last_applied_at,
            )
            for lag in lags
        ]

    @strawberry.field(
        description="Whether the database answers, as last measured with the projection lag."
    )
    async def database_health(self, info: Info) -> DatabaseHealth:
        actor(info)
        platform = _platform(info)
        try:
            await platform.projection_lags()
        except Exception as error:  # in PostgreSQL mode, nothing is measured without it
            return DatabaseHealth(available=False, problem=first_line(error))
        problem = platform.database_problem
        return DatabaseHealth(available=problem is None, problem=problem)

    @strawberry.field(description="Replays: running ones with progress, and past ones.")
    async def replay_status(self, info: Info) -> list[ReplayRun]:
        actor(info)
        async with _platform(info).pool.connection() as conn:
            rows = await views.replay_runs(conn)
        return [ReplayRun(**row) for row in rows]

    @strawberry.field(description="Usernames and roles (admins only).")
    def users(self, info: Info) -> list[Me]:
        admin(info)
        return [
            Me(username=u.username, role=u.role)
            for u in _platform(info).cache.users()
            if not u.removed
        ]


# The limits' validation rules, made once: a limiter makes a new rule class each time it is
# constructed, and the validation cache is keyed by the rules as well as the document.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=8).validation_rules,
    *MaxAliasesLimiter(max_alias_count=20).validation_rules,
]
# Bounded: hostile query texts can only evict entries. The dashboard sends the same few
# queries again and again; parsing and validating them once is enough.
CACHED_DOCUMENTS = 256

Query = merge_types(
    "Query",
    (CatalogAndEventsQuery, WebQuery, ConversionsQuery, GoalsQuery, AuditQuery, AlertsQuery),
)
Mutation = merge_types("Mutation", (RetentionMutation, AlertsMutation, GoalsMutation))
Subscription = merge_types("Subscription", (EventsSubscription, WebSubscription))

schema = ShapedErrorsSchema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    execution_context_class=PushScopedExecutionContext,
    # Factories, so that every operation has its own extensions (a shared instance holds one
    # operation's execution context at a time).
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=2000),
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
        # After the validation cache, which would otherwise overwrite its refusal.
        CostBudget,
    ],
)


def first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
