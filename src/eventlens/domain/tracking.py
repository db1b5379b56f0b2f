"""Tracked events are immutable facts; rejected events keep what failed and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.json_schema import PropertyCheck
from eventlens.domain.personal import Sealed
from eventlens.domain.schema import Schema
from eventlens.domain.user_agents import is_bot
from eventlens.domain.visitors import ClientContext, PageContext

# What the tracker sends on every site: accepted by every schema without being declared (a
# schema that declares one checks its properties as usual).
STANDARD_EVENT_TYPES = frozenset({"page_view", "outbound_click", "file_download", "engagement"})


@dataclass(frozen=True, init=False)
class TrackedEvent:
    """One interaction on a tracked site, as accepted. Never changed once appended."""

    event_id: UUID
    schema_id: str
    event_type: str
    received_at: datetime
    container_id: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    client_timestamp: datetime | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    client: ClientContext | None = None  # set at ingest, from the request
    page: PageContext | None = None  # sent by the page
    # Recorded by an admin's import of history: its timestamp is when it happened, however
    # long ago. Any other sender's counts only within `CLIENT_CLOCK_WINDOW` of its arrival.
    imported: bool = False
    # The personal fields (user id, properties marked personal), encrypted under the
    # subject's key: an event carrying them has no plaintext user id nor personal properties.
    sealed: Sealed | None = None

    def __init__(
        self,
        event_id: UUID,
        schema_id: str,
        event_type: str,
        received_at: datetime,
        container_id: str | None = None,
        user_id: str | None = None,
        session_id: str | None = None,
        client_timestamp: datetime | None = None,
        properties: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        client: ClientContext | None = None,
        page: PageContext | None = None,
        imported: bool = False,
        sealed: Sealed | None = None,
    ) -> None:
        # The generated __init__ of a frozen dataclass sets each field through
        # object.__setattr__, once per field and event on the ingest path. Filling the
        # instance dict in one call is cheaper and leaves the instance just as frozen.
        self.__dict__.update(
            event_id=event_id,
            schema_id=schema_id,
            event_type=event_type,
            received_at=received_at,
            container_id=container_id,
            user_id=user_id,
            session_id=session_id,
            client_timestamp=client_timestamp,
            properties={} if properties is None else properties,
            metadata={} if metadata is None else metadata,
            client=client,
            page=page,
            imported=imported,
            sealed=sealed,
        )

    def revised(self, **changes: Any) -> TrackedEvent:
        """A copy with `changes` (field: value): as `dataclasses.replace`, without running
        __init__ again (it is called per event on the ingest path)."""
        copy = object.__new__(TrackedEvent)
        copy.__dict__.update(self.__dict__, **changes)
        return copy

    @property
    def partition_key(self) -> str:
        """Events of one session (else one visitor) stay in order: they share a key, and so a
        partition."""
        if self.session_id:
            return self.session_id
        client = self.client
        if client is not None and client.visitor_id is not None:
            return client.visitor_id
        return str(self.event_id)

    @property
    def occurred_at(self) -> datetime:
        """When it counts in the stats (`counted_time`)."""
        return counted_time(self.client_timestamp, self.received_at, self.imported)


# How far from the server's clock a sender's timestamp may be and still count: a page's
# events wait in its queue and retries for a while. Beyond, the event counts when it arrived,
# so no sender can add page views to another day (an admin's import excepted).
CLIENT_CLOCK_WINDOW = timedelta(minutes=5)


def counted_time(client: datetime | None, received: datetime, imported: bool) -> datetime:
    """When an event counts in the stats: the time the server received it, or the sender's
    timestamp when that is within `CLIENT_CLOCK_WINDOW` of it (or imported)."""
    if client is None:
        return received
    if imported or abs(client - received) <= CLIENT_CLOCK_WINDOW:
        return client
    return received


class RejectionCode(StrEnum):
    UNKNOWN_SCHEMA = "unknown_schema"
    RETIRED_SCHEMA = "retired_schema"
    # No longer given (an event naming no adaptor is of its schema alone); kept for the
    # events rejected for it before.
    MISSING_CONTAINER_ID = "missing_container_id"
    UNKNOWN_ADAPTOR = "unknown_adaptor"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    DISABLED_ADAPTOR = "disabled_adaptor"
    ADAPTOR_SCHEMA_MISMATCH = "adaptor_schema_mismatch"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    INVALID_PROPERTIES = "invalid_properties"
    BOT = "bot"
    OPTED_OUT = "opted_out"
    PERSONAL_WITHOUT_USER = "personal_without_user_id"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why an event was rejected. `message` is kept with the rejected event for admins;
    `public`, when set, is what the sender is told instead: what is wrong with its event,
    without what else the catalog holds."""

    code: RejectionCode
    message: str
    public: str | None = field(default=None, compare=False)

    @property
    def told(self) -> str:
        return self.message if self.public is None else self.public


@dataclass(frozen=True, slots=True)
class RejectedEvent:
    """A well-formed event that failed the catalog or schema checks, kept with its reasons
    and the page origin it came from (judged again when it is re-processed)."""

    event: TrackedEvent
    reasons: tuple[Reason, ...]
    origin: str | None = None

    @property
    def event_id(self) -> UUID:
        return self.event.event_id


def judge(
    event: TrackedEvent,
    schema: Schema | None,
    adaptor: Adaptor | None,
    property_check: PropertyCheck | None,
    *,
    origin: str | None = None,
    opted_out: bool = False,
    personal: frozenset[str] = frozenset(),
) -> tuple[Reason, ...]:
    """Every reason the event cannot be accepted; empty when it can.

    `adaptor` is the adaptor the event names (None: it names none, and is of its schema
    alone, no site's). `property_check` validates the properties of the event's type.
    `origin` is the page's origin as the browser sent it (None from a server), which the
    adaptor must allow. `opted_out`: the event's user id is on the opt-out list.
    `personal`: the properties its event type marks personal, which need a user id (the
    subject whose key they are encrypted under).
    """
    if opted_out:
        return (Reason(RejectionCode.OPTED_OUT, "the user id is on the opt-out list"),)
    reasons: list[Reason] = []
    bot = _bot_reason(event)
    if bot is not None:
        return (bot,)  # a bot's event is counted, not judged further
    if adaptor is not None and not adaptor.accepts_origin(origin):
        reasons.append(
            Reason(
                RejectionCode.ORIGIN_NOT_ALLOWED,
                f"origin {origin!r} is not allowed by adaptor {adaptor.container_id!r}; "
                "add it to the adaptor's website URLs or allowed origins",
            )
        )
    # An event naming no schema takes its adaptor's: an unknown adaptor says it all.
    if schema is None and (event.schema_id or event.container_id is None):
        missing = (
            f"schema {event.schema_id!r} does not exist"
            if event.schema_id
            else "schema_id is required unless container_id names an adaptor"
        )
        reasons.append(Reason(RejectionCode.UNKNOWN_SCHEMA, missing))
    elif schema is not None and schema.retired:
        reasons.append(
            Reason(RejectionCode.RETIRED_SCHEMA, f"schema {event.schema_id!r} is retired")
        )
    reasons.extend(_adaptor_reasons(event, adaptor))
    if schema is not None and not schema.retired:
        if (
            event.event_type not in schema.event_types
            and event.event_type not in STANDARD_EVENT_TYPES
        ):
            known = ", ".join(sorted(schema.event_types)[:20])
            undefined = f"event type {event.event_type!r} is not defined by schema {schema.name!r}"
            reasons.append(
                Reason(RejectionCode.UNKNOWN_EVENT_TYPE, f"{undefined} (known: {known})", undefined)
            )
        elif property_check is not None:
            reasons.extend(
                Reason(RejectionCode.INVALID_PROPERTIES, violation)
                for violation in property_check(event.properties)
            )
    if personal and event.user_id is None and event.sealed is None:
        sent = sorted(personal.intersection(event.properties))
        if sent:
            reasons.append(
                Reason(
                    RejectionCode.PERSONAL_WITHOUT_USER,
                    f"properties {', '.join(sent)} are personal (x-personal) and need a "
                    "user_id, the person whose key they are encrypted under",
                )
            )
    return tuple(reasons)


def _bot_reason(event: TrackedEvent) -> Reason | None:
    """Crawlers, headless browsers, requests without a User-Agent, and pages under
    automation are not visitors. Judged only on events that came through ingest (those
    carry the request's client)."""
    client = event.client
    if client is None:
        return None
    if is_bot(client.user_agent):
        agent = client.user_agent
        what = f"user agent {agent[:200]!r}" if agent else "a request without a User-Agent"
        return Reason(RejectionCode.BOT, f"{what} is a bot, not a visitor")
    page = event.page
    if page is not None and page.automated:
        return Reason(RejectionCode.BOT, "the page was driven by automation (navigator.webdriver)")
    return None


def _adaptor_reasons(event: TrackedEvent, adaptor: Adaptor | None) -> list[Reason]:
    if adaptor is None:
        if event.container_id is not None:
            return [
                Reason(
                    RejectionCode.UNKNOWN_ADAPTOR,
                    f"adaptor {event.container_id!r} does not exist",
                )
            ]
        return []  # of no site: counted for its schema alone
    if not adaptor.active:
        return [
            Reason(
                RejectionCode.DISABLED_ADAPTOR,
                f"adaptor {adaptor.container_id!r} is disabled",
            )
        ]
    if adaptor.schema_name != event.schema_id:
        return [
            Reason(
                RejectionCode.ADAPTOR_SCHEMA_MISMATCH,
                f"adaptor {adaptor.container_id!r} tracks schema {adaptor.schema_name!r}, "
                f"not {event.schema_id!r}",
                f"adaptor {adaptor.container_id!r} does not track schema {event.schema_id!r}",
            )
        ]
    return []
