"""GraphQL types: what the dashboard reads."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from eventlens import views
from eventlens.domain.adaptor import Adaptor as AdaptorAggregate
from eventlens.domain.schema import Schema as SchemaAggregate
from eventlens.graphql.retention import RetentionPeriod, adaptor_retention


@strawberry.enum
class Resolution(Enum):
    MINUTE = "minute"
    HOUR = "hour"
    DAY = "day"


@strawberry.input(description="Which events to count: a range (default: the last 7 days).")
class StatsInput:
    days: int | None = None
    hours: int | None = strawberry.field(default=None, description="The last N hours.")
    start: datetime | None = None
    end: datetime | None = None
    schema_id: str | None = None
    adaptor_id: str | None = None
    event_type: str | None = None


@strawberry.input
class EventFilterInput:
    schema_id: str | None = None
    adaptor_id: str | None = None
    event_type: str | None = None
    session_id: str | None = None
    user_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    properties: JSON | None = strawberry.field(
        default=None, description="Match events whose properties contain this object."
    )

    def to_view(self) -> views.EventFilter:
        props = self.properties
        if props is not None and not isinstance(props, dict):
            from eventlens.domain.errors import InvalidInput

            raise InvalidInput("properties must be a JSON object", field="properties")
        return views.EventFilter(
            schema_id=self.schema_id,
            container_id=self.adaptor_id,
            event_type=self.event_type,
            session_id=self.session_id,
            user_id=self.user_id,
            start=self.start,
            end=self.end,
            properties=props,
        )


@strawberry.type
class Count:
    key: str
    count: int


@strawberry.type
class Stats:
    total_events: int
    page_views: int
    clicks: int
    unique_sessions: int
    unique_users: int
    events_by_type: list[Count]
    events_by_adaptor: list[Count]
    start: datetime
    end: datetime

    @classmethod
    def of(cls, stats: views.Stats, f: views.StatsFilter) -> Stats:
        def counts(values: dict[str, int]) -> list[Count]:
            return [Count(key=k, count=v) for k, v in sorted(values.items(), key=lambda i: -i[1])]

        return cls(
            total_events=stats.total_events,
            page_views=stats.page_views,
            clicks=stats.clicks,
            unique_sessions=stats.unique_sessions,
            unique_users=stats.unique_users,
            events_by_type=counts(stats.events_by_type),
            events_by_adaptor=counts(stats.events_by_adaptor),
            start=f.start,
            end=f.end,
        )


@strawberry.type
class Point:
    bucket: datetime
    count: int


@strawberry.type
class Event:
    event_id: strawberry.ID
    schema_id: str
    container_id: str | None
    event_type: str
    user_id: str | None
    session_id: str | None
    timestamp: datetime
    received_at: datetime
    properties: JSON
    metadata: JSON
    visitor_id: str | None = None
    url: str | None = None
    hostname: str | None = None
    path: str | None = None
    referrer: str | None = None
    source: str | None = None
    channel: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_content: str | None = None
    utm_term: str | None = None
    browser: str | None = None
    browser_version: str | None = None
    os: str | None = None
    os_version: str | None = None
    device: str | None = None
    screen_width: int | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Event:
        return cls(**{**row, "event_id": strawberry.ID(str(row["event_id"]))})


@strawberry.type
class EventPage:
    items: list[Event]
    next_cursor: str | None


@strawberry.type
class Reason:
    code: str
    message: str


@strawberry.type
class RejectedEvent:
    event_id: strawberry.ID
    schema_id: str | None
    container_id: str | None
    event_type: str | None
    received_at: datetime
    reasons: list[Reason]
    payload: JSON
    reprocessed: bool

    @classmethod
    def of(cls, row: dict[str, Any]) -> RejectedEvent:
        return cls(
            **{
                **row,
                "event_id": strawberry.ID(str(row["event_id"])),
                "reasons": [Reason(code=r["code"], message=r["message"]) for r in row["reasons"]],
            }
        )


@strawberry.type
class RejectedPage:
    items: list[RejectedEvent]
    next_cursor: str | None


@strawberry.type
class EventType:
    name: str
    json_schema: JSON


@strawberry.type
class Schema:
    name: str
    description: str
    version: int
    is_active: bool
    event_types: list[EventType]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, schema: SchemaAggregate) -> Schema:
        return cls(
            name=schema.name,
            description=schema.description,
            version=schema.schema_version,
            is_active=not schema.retired,
            event_types=[
                EventType(name=n, json_schema=JSON(s))
                for n, s in sorted(schema.event_types.items())
            ],
            created_at=schema.created_on,
            updated_at=schema.modified_on,
        )


@strawberry.type
class Adaptor:
    container_id: str
    name: str
    schema_id: str
    website_urls: list[str]
    allowed_origins: list[str]
    description: str
    timezone: str = strawberry.field(
        description="IANA time zone of the site's days and date ranges (default UTC)."
    )
    is_active: bool
    created_at: datetime
    updated_at: datetime
    last_seen_at: datetime | None = strawberry.field(
        default=None, description="The last minute this adaptor's events were counted."
    )
    events_last_hour: int = 0
    snippet: str = strawberry.field(
        default="",
        description="The tag to paste into the site's pages: it loads the tracker (/t.js), "
        "which keeps nothing in the visitor's browser.",
    )
    inline_snippet: str = strawberry.field(
        default="",
        description="The seed's inline snippet, for identified tracking on a site that has the "
        "visitor's consent (it keeps ids in localStorage and sessionStorage).",
    )
    retention: RetentionPeriod = strawberry.field(
        resolver=adaptor_retention,
        description="How long the site's tracked events are kept (days null: forever).",
    )

    @classmethod
    def of(
        cls,
        adaptor: AdaptorAggregate,
        activity: tuple[datetime | None, int] | None = None,
        snippet: str = "",
        inline_snippet: str = "",
    ) -> Adaptor:
        return cls(
            container_id=adaptor.container_id,
            name=adaptor.name,
            schema_id=adaptor.schema_name,
            website_urls=adaptor.website_urls,
            allowed_origins=sorted(adaptor.origins),
            description=adaptor.description,
            timezone=adaptor.timezone,
            is_active=adaptor.active,
            created_at=adaptor.created_on,
            updated_at=adaptor.modified_on,
            last_seen_at=activity[0] if activity else None,
            events_last_hour=activity[1] if activity else 0,
            snippet=snippet,
            inline_snippet=inline_snippet,
        )


@strawberry.type
class SchemaVersion:
    version: int
    description: str
    event_types: JSON
    recorded_at: datetime


@strawberry.type
class ProjectionLag:
    projection: str
    events_behind: int
    seconds_behind: float
    last_applied_at: datetime | None


@strawberry.type(description="Whether the database answers (Kafka mode takes events without it).")
class DatabaseHealth:
    available: bool
    problem: str | None = strawberry.field(
        description="Why it does not answer; the projections wait for it meanwhile."
    )


@strawberry.type
class Me:
    username: str
    role: str


@strawberry.type
class ReplayRun:
    projection: str
    state: str
    events_done: int
    events_total: int
    rate: float
    eta_seconds: float | None
    started_at: datetime
    finished_at: datetime | None
