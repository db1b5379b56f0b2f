"""Tracked events are immutable facts; rejected events keep what failed and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.json_schema import PropertyCheck
from eventlens.domain.schema import Schema


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
        )

    @property
    def partition_key(self) -> str:
        """Events of one session stay in order: they share a key (and so a partition)."""
        return self.session_id or str(self.event_id)

    @property
    def occurred_at(self) -> datetime:
        return self.client_timestamp or self.received_at


class RejectionCode(StrEnum):
    UNKNOWN_SCHEMA = "unknown_schema"
    RETIRED_SCHEMA = "retired_schema"
    MISSING_CONTAINER_ID = "missing_container_id"
    UNKNOWN_ADAPTOR = "unknown_adaptor"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    DISABLED_ADAPTOR = "disabled_adaptor"
    ADAPTOR_SCHEMA_MISMATCH = "adaptor_schema_mismatch"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    INVALID_PROPERTIES = "invalid_properties"


@dataclass(frozen=True, slots=True)
class Reason:
    code: RejectionCode
    message: str


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
    adaptor_candidates: int = 1,
    origin: str | None = None,
) -> tuple[Reason, ...]:
    """Every reason the event cannot be accepted; empty when it can.

    `adaptor` is the adaptor named by the event (or the schema's only active adaptor when
    the event names none); `adaptor_candidates` is how many active adaptors the schema has.
    `property_check` validates the properties of the event's type. `origin` is the page's
    origin as the browser sent it (None from a server), which the adaptor must allow.
    """
    reasons: list[Reason] = []
    if adaptor is not None and not adaptor.accepts_origin(origin):
        reasons.append(
            Reason(
                RejectionCode.ORIGIN_NOT_ALLOWED,
                f"origin {origin!r} is not allowed by adaptor {adaptor.container_id!r}; "
                "add it to the adaptor's website URLs or allowed origins",
            )
        )
    if schema is None:
        reasons.append(
            Reason(RejectionCode.UNKNOWN_SCHEMA, f"schema {event.schema_id!r} does not exist")
        )
    elif schema.retired:
        reasons.append(
            Reason(RejectionCode.RETIRED_SCHEMA, f"schema {event.schema_id!r} is retired")
        )
    reasons.extend(_adaptor_reasons(event, adaptor, adaptor_candidates))
    if schema is not None and not schema.retired:
        if event.event_type not in schema.event_types:
            known = ", ".join(sorted(schema.event_types)[:20])
            reasons.append(
                Reason(
                    RejectionCode.UNKNOWN_EVENT_TYPE,
                    f"event type {event.event_type!r} is not defined by schema "
                    f"{schema.name!r} (known: {known})",
                )
            )
        elif property_check is not None:
            reasons.extend(
                Reason(RejectionCode.INVALID_PROPERTIES, violation)
                for violation in property_check(event.properties)
            )
    return tuple(reasons)


def _adaptor_reasons(event: TrackedEvent, adaptor: Adaptor | None, candidates: int) -> list[Reason]:
    if adaptor is None:
        if event.container_id is not None:
            return [
                Reason(
                    RejectionCode.UNKNOWN_ADAPTOR,
                    f"adaptor {event.container_id!r} does not exist",
                )
            ]
        return [
            Reason(
                RejectionCode.MISSING_CONTAINER_ID,
                "container_id is required (in the body or in properties.container_id): "
                f"schema {event.schema_id!r} has {candidates} active adaptors",
            )
        ]
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
            )
        ]
    return []
