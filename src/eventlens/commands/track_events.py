"""TrackEvents: judge incoming events against the catalog and append them.

Accepted events go to the tracked stream, well-formed events that fail a check go to the
rejected stream with their reasons, those from a page origin their adaptor does not allow
among them (with the origin, so that they pass once the adaptor allows it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.json_schema import PropertyCheck
from eventlens.domain.personal import split_personal
from eventlens.domain.schema import Schema
from eventlens.domain.tracking import Reason, RejectedEvent, TrackedEvent, judge
from eventlens.domain.visitors import Requester
from eventlens.eventstore.port import EventStore


class CatalogLookup(Protocol):
    """The catalog as the ingest path sees it: in memory, kept current by following events."""

    def schema(self, name: str) -> Schema | None: ...

    def adaptor(self, container_id: str) -> Adaptor | None: ...

    def property_check(self, schema: Schema, event_type: str) -> PropertyCheck | None: ...

    def personal(self, schema: Schema, event_type: str) -> frozenset[str]:
        """The properties the event type marks personal (`x-personal`)."""

    def opted_out(self, user_id: str) -> bool:
        """Is the user id on the server-side opt-out list?"""

    async def catch_up(self) -> None:
        """Read catalog changes recorded since the last look (e.g. by another replica)."""


@dataclass(frozen=True, slots=True)
class TrackEvents:
    """`requester` is the client the events came from (None: events recorded without one,
    e.g. re-processed): each event is given its client context, visitor id included."""

    events: Sequence[TrackedEvent]
    origin: str | None = None
    requester: Requester | None = None


class Outcome(NamedTuple):
    """What became of one event. A named tuple: one is made per event on the ingest path."""

    event_id: UUID
    reasons: tuple[Reason, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.reasons


@dataclass
class Decision:
    accepted: list[TrackedEvent]
    rejected: list[RejectedEvent]
    outcomes: list[Outcome]  # one per event, in the command's order


async def track_events(command: TrackEvents, catalog: CatalogLookup, store: EventStore) -> Decision:
    """Judge the events and append them; the decision says what became of each."""
    decision = await decide(command, catalog)
    appended = record(decision, store)
    if appended is not None:
        await appended
    return decision


def track_events_now(
    command: TrackEvents, catalog: CatalogLookup, store: EventStore
) -> tuple[Decision, asyncio.Future[Any] | None] | None:
    """`track_events` without suspending, for callers that answer from a callback: the
    decision, and what resolves once its events are appended (None: nothing to append).

    None when an event names a schema or adaptor this replica has not seen yet: the catalog
    must catch up first, which `track_events` does.
    """
    if _misses(command.events, catalog):
        return None
    decision = judge_events(command, catalog)
    return decision, record(decision, store)


async def decide(command: TrackEvents, catalog: CatalogLookup) -> Decision:
    """Judge each event against a current catalog; appends nothing."""
    if _misses(command.events, catalog):
        await catalog.catch_up()
    return judge_events(command, catalog)


def record(decision: Decision, store: EventStore) -> asyncio.Future[Any] | None:
    """Append what the decision accepted and rejected; None when there is nothing to append."""
    if decision.accepted and decision.rejected:
        return asyncio.gather(
            store.append_tracked(decision.accepted), store.append_rejected(decision.rejected)
        )
    if decision.accepted:  # the common case: no gather on the hot path
        return store.append_tracked(decision.accepted)
    if decision.rejected:
        return store.append_rejected(decision.rejected)
    return None


def judge_events(command: TrackEvents, catalog: CatalogLookup) -> Decision:
    """Judge each event against the catalog as it is now."""
    accepted: list[TrackedEvent] = []
    rejected: list[RejectedEvent] = []
    outcomes: list[Outcome] = []
    requester = command.requester
    for incoming in command.events:
        event, schema, adaptor = _resolve(incoming, catalog, requester)
        check, personal = (
            (
                catalog.property_check(schema, event.event_type),
                catalog.personal(schema, event.event_type),
            )
            if schema is not None
            else (None, _NOTHING)
        )
        opted_out = event.user_id is not None and catalog.opted_out(event.user_id)
        reasons = judge(
            event,
            schema,
            adaptor,
            check,
            origin=command.origin,
            opted_out=opted_out,
            personal=personal,
        )
        if reasons:
            if opted_out or (personal and event.user_id is None):
                # Kept without what identifies the person: an opted-out user id, personal
                # properties that have no subject to be encrypted for.
                kept, _ = split_personal(event.properties, personal)
                event = event.revised(user_id=None, properties=kept)
            rejected.append(RejectedEvent(event, reasons, command.origin))
        else:
            accepted.append(event)
        outcomes.append(Outcome(event.event_id, reasons))
    return Decision(accepted, rejected, outcomes)


_NOTHING: frozenset[str] = frozenset()


def _misses(events: Sequence[TrackedEvent], catalog: CatalogLookup) -> bool:
    """Does any event name a schema or adaptor this replica has not seen yet?"""
    return any(
        (event.schema_id and catalog.schema(event.schema_id) is None)
        or (event.container_id is not None and catalog.adaptor(event.container_id) is None)
        for event in events
    )


def _resolve(
    event: TrackedEvent, catalog: CatalogLookup, requester: Requester | None
) -> tuple[TrackedEvent, Schema | None, Adaptor | None]:
    """Find the event's schema and adaptor, and give it its client.

    An event naming no container id (a server-side sender, the seed's curl example) is of
    its schema alone: no site's, whatever adaptors the schema has. One naming no schema (the
    tracker) is of its adaptor's schema.
    """
    container_id = event.container_id
    adaptor = catalog.adaptor(container_id) if container_id is not None else None
    schema_id = event.schema_id or (adaptor.schema_name if adaptor is not None else "")
    schema = catalog.schema(schema_id) if schema_id else None
    changes: dict[str, Any] = {}
    if schema_id != event.schema_id:
        changes["schema_id"] = schema_id
    if requester is not None:
        changes["client"] = requester.context(container_id or schema_id)
    return (event.revised(**changes) if changes else event), schema, adaptor
