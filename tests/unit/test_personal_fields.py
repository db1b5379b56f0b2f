"""Personal data: which fields are personal, how they are sealed under their subject's key,
and how ingest treats an opted-out user id or personal properties sent without a user id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from cryptography.exceptions import InvalidTag

from eventlens.commands.actor import SYSTEM, Actor
from eventlens.commands.change_opt_out import ChangeOptOut, change_opt_out
from eventlens.commands.track_events import TrackEvents, track_events
from eventlens.domain.errors import Conflict, NotFound, PermissionDenied
from eventlens.domain.personal import (
    SubjectKey,
    new_key,
    new_subject,
    personal_properties,
    seal,
    split_personal,
    subject_lookup,
    unseal,
)
from eventlens.domain.tracking import RejectionCode, TrackedEvent
from eventlens.domain.user import Role
from eventlens.eventstore.codec import decode_tracked, encode_tracked
from tests.unit.fakes import InMemoryStore, Site

SIGNUP = {
    "type": "object",
    "properties": {"email": {"type": "string", "x-personal": True}, "plan": {"type": "string"}},
}
SECRET = b"k" * 32


def signup(user_id: str | None, **props: object) -> TrackedEvent:
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="site",
        event_type="signup",
        received_at=datetime.now(UTC),
        user_id=user_id,
        session_id="s1",
        properties=dict(props),
    )


def test_a_property_marked_x_personal_is_personal_and_the_others_are_not() -> None:
    assert personal_properties(SIGNUP) == {"email"}
    assert personal_properties({"type": "object"}) == frozenset()
    assert personal_properties({"properties": {"a": {"x-personal": "yes"}}}) == frozenset()
    assert split_personal({"email": "a@b.c", "plan": "pro"}, frozenset({"email"})) == (
        {"plan": "pro"},
        {"email": "a@b.c"},
    )


def test_sealed_fields_open_with_their_key_for_their_event_only() -> None:
    key = SubjectKey.of(new_subject(), new_key())
    event_id = uuid4()
    sealed = seal(key, event_id, {"user_id": "alice", "properties": {"email": "a@b.c"}})

    assert "alice" not in sealed.blob and sealed.subject == key.subject
    assert unseal(key.cipher, event_id, sealed.blob) == {
        "user_id": "alice",
        "properties": {"email": "a@b.c"},
    }
    with pytest.raises(InvalidTag):  # moved to another event
        unseal(key.cipher, uuid4(), sealed.blob)
    with pytest.raises(InvalidTag):  # another subject's key
        unseal(SubjectKey.of(new_subject(), new_key()).cipher, event_id, sealed.blob)


def test_a_sealed_event_is_stored_with_its_subject_and_no_user_id() -> None:
    key = SubjectKey.of(new_subject(), new_key())
    event = signup(None, plan="pro")
    event = event.revised(sealed=seal(key, event.event_id, {"user_id": "alice"}))

    payload = encode_tracked(event)

    assert b"alice" not in payload
    assert decode_tracked(payload) == event


def test_the_lookup_of_a_user_id_is_keyed_and_stable() -> None:
    assert subject_lookup(SECRET, "alice") == subject_lookup(SECRET, "alice")
    assert subject_lookup(SECRET, "alice") != subject_lookup(b"o" * 32, "alice")
    assert b"alice" not in subject_lookup(SECRET, "alice")


def opted_out_site() -> Site:
    site = Site({"signup": SIGNUP}, ["https://shop.example"])
    site.cache.lookup = lookup = lambda user_id: subject_lookup(SECRET, user_id)
    change_opt_out(ChangeOptOut(SYSTEM, "alice", True), site.catalog, lookup)
    site.cache.refresh()
    return site


def test_an_opted_out_user_ids_events_are_rejected_without_their_personal_fields() -> None:
    site, store = opted_out_site(), InMemoryStore()
    theirs, others = signup("alice", email="a@b.c", plan="pro"), signup("bob", plan="free")

    asyncio.run(track_events(TrackEvents([theirs, others]), site.cache, store))

    assert store.tracked == [others]
    [rejected] = store.rejected
    assert [r.code for r in rejected.reasons] == [RejectionCode.OPTED_OUT]
    assert (rejected.event.user_id, rejected.event.properties) == (None, {"plan": "pro"})


def test_a_user_id_taken_off_the_opt_out_list_is_accepted_again() -> None:
    site, store = opted_out_site(), InMemoryStore()
    lookup = site.cache.lookup
    assert lookup is not None
    change_opt_out(ChangeOptOut(SYSTEM, "alice", False), site.catalog, lookup)
    site.cache.refresh()
    event = signup("alice", plan="pro")

    asyncio.run(track_events(TrackEvents([event]), site.cache, store))

    assert store.tracked == [event]


def test_the_opt_out_list_is_changed_by_admins_only_and_says_what_is_wrong() -> None:
    site = opted_out_site()
    lookup = site.cache.lookup
    assert lookup is not None
    viewer = Actor("viewer", Role.VIEWER)
    with pytest.raises(PermissionDenied):
        change_opt_out(ChangeOptOut(viewer, "carol", True), site.catalog, lookup)
    with pytest.raises(Conflict, match="already on the opt-out list"):
        change_opt_out(ChangeOptOut(SYSTEM, "alice", True), site.catalog, lookup)
    with pytest.raises(NotFound, match="not on the opt-out list"):
        change_opt_out(ChangeOptOut(SYSTEM, "carol", False), site.catalog, lookup)


def test_personal_properties_without_a_user_id_are_rejected_and_not_kept() -> None:
    site, store = Site({"signup": SIGNUP}, ["https://shop.example"]), InMemoryStore()

    decision = asyncio.run(
        track_events(TrackEvents([signup(None, email="a@b.c", plan="pro")]), site.cache, store)
    )

    [outcome] = decision.outcomes
    assert [r.code for r in outcome.reasons] == [RejectionCode.PERSONAL_WITHOUT_USER]
    assert "email" in outcome.reasons[0].message
    assert store.tracked == []
    assert [r.event.properties for r in store.rejected] == [{"plan": "pro"}]
