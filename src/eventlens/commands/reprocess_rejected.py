"""ReprocessRejected: after a schema or adaptor fix, append the rejected events that now pass.

Each is appended to the tracked stream with its original event id, so re-processing twice
(or concurrently) still records it once. Events that still fail stay rejected, as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.commands.track_events import CatalogLookup, TrackEvents, decide
from eventlens.domain.tracking import TrackedEvent
from eventlens.eventstore.port import EventStore


@dataclass(frozen=True, slots=True)
class ReprocessRejected:
    actor: Actor
    # The rejected events to try again, as first received, each with its page origin.
    events: Sequence[tuple[TrackedEvent, str | None]]


@dataclass(frozen=True, slots=True)
class ReprocessOutcome:
    reprocessed: int
    still_rejected: int


async def reprocess_rejected(
    command: ReprocessRejected, catalog: CatalogLookup, store: EventStore
) -> ReprocessOutcome:
    require_admin(command.actor, "re-process rejected events")
    if not command.events:
        return ReprocessOutcome(0, 0)
    by_origin: dict[str | None, list[TrackedEvent]] = {}
    for event, origin in command.events:
        by_origin.setdefault(origin, []).append(event)
    accepted: list[TrackedEvent] = []
    still_rejected = 0
    for origin, events in by_origin.items():
        decision = await decide(TrackEvents(events, origin), catalog)
        accepted += decision.accepted
        still_rejected += len(decision.rejected)
    if accepted:
        await store.append_tracked(accepted)
    return ReprocessOutcome(len(accepted), still_rejected)
