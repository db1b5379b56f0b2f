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
    events: Sequence[TrackedEvent]  # the rejected events to try again, as first received


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
    decision = await decide(TrackEvents(command.events), catalog)
    if decision.accepted:
        await store.append_tracked(decision.accepted)
    return ReprocessOutcome(len(decision.accepted), len(decision.rejected))
