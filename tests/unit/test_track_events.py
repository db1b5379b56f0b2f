"""TrackEvents and ReprocessRejected against an in-memory catalog and store: given a site,
when events arrive, then what is appended where."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from eventlens.commands.actor import SYSTEM
from eventlens.commands.reprocess_rejected import ReprocessRejected, reprocess_rejected
from eventlens.commands.track_events import TrackEvents, track_events
from eventlens.domain.tracking import RejectionCode, TrackedEvent
from eventlens.views.ranges import as_utc
from tests.unit.fakes import InMemoryStore, Site

SITE = "https://shop.example"


def page_view(container_id: str | None, event_type: str = "page_view") -> TrackedEvent:
    from datetime import datetime

    return TrackedEvent(
        event_id=uuid4(),
        schema_id="site",
        event_type=event_type,
        received_at=as_utc(datetime(2026, 12, 1, 12)),
        container_id=container_id,
        session_id="s1",
    )


def test_accepted_and_rejected_events_go_to_their_streams() -> None:
    site, store = Site({"page_view": {}}, [SITE]), InMemoryStore()
    good, bad = page_view(site.container_id), page_view(site.container_id, "teleport")

    decision = asyncio.run(track_events(TrackEvents([good, bad], SITE), site.cache, store))

    assert store.tracked == [good]
    assert [r.event for r in store.rejected] == [bad]
    assert [o.accepted for o in decision.outcomes] == [True, False]


def test_an_event_naming_no_adaptor_is_of_its_schema_alone_never_guessed_to_a_site() -> None:
    site, store = Site({"page_view": {}}, [SITE]), InMemoryStore()  # the schema's one adaptor

    decision = asyncio.run(track_events(TrackEvents([page_view(None)]), site.cache, store))

    assert [o.accepted for o in decision.outcomes] == [True]
    assert store.tracked[0].container_id is None


def test_an_event_from_a_foreign_origin_passes_once_the_adaptor_allows_that_origin() -> None:
    site, store = Site({"page_view": {}}, [SITE]), InMemoryStore()
    foreign = "http://127.0.0.1:8080"
    event = page_view(site.container_id)
    asyncio.run(track_events(TrackEvents([event], foreign), site.cache, store))
    [rejected] = store.rejected
    assert rejected.reasons[0].code is RejectionCode.ORIGIN_NOT_ALLOWED

    still = asyncio.run(
        reprocess_rejected(ReprocessRejected(SYSTEM, [(event, foreign)]), site.cache, store)
    )
    site.allow([SITE, foreign])
    after = asyncio.run(
        reprocess_rejected(ReprocessRejected(SYSTEM, [(event, foreign)]), site.cache, store)
    )

    assert (still.reprocessed, still.still_rejected) == (0, 1)
    assert (after.reprocessed, after.still_rejected) == (1, 0)
    assert store.tracked == [event]
