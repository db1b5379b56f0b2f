"""Every catalog event records who issued the command: the audit log's "who"."""

from __future__ import annotations

from uuid import uuid4

import orjson
import pytest

from eventlens.commands.actor import SYSTEM, Actor
from eventlens.commands.change_role import ChangeRole, change_role
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.create_api_key import CreateApiKey, create_api_key
from eventlens.commands.create_user import CreateUser, create_user
from eventlens.commands.record_sign_in import RecordSignIn, record_sign_in
from eventlens.commands.record_sign_out import RecordSignOut, record_sign_out
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.audit import ANONYMOUS
from eventlens.domain.sign_ins import Session
from eventlens.domain.user import Role
from eventlens.eventstore.catalog import Catalog

ROOT = Actor("root", Role.ADMIN)


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def recorded(catalog: Catalog) -> list[tuple[str, str | None]]:
    """(event class, actor) of every catalog event, in order."""
    notes = catalog.recorder.select_notifications(start=1, limit=100)
    return [(n.topic.rpartition(":")[2], orjson.loads(n.state).get("actor")) for n in notes]


def test_each_command_stamps_its_events_with_the_username_that_issued_it(
    catalog: Catalog,
) -> None:
    register_schema(RegisterSchema(ROOT, "shop", None, {"page_view": {}}), catalog)
    create_adaptor(CreateAdaptor(ROOT, "Shop", "shop"), catalog)
    create_user(CreateUser(SYSTEM, "ann", "a long password", Role.ADMIN.value), catalog)
    create_api_key(CreateApiKey(Actor("ann", Role.ADMIN), "script"), catalog)

    assert recorded(catalog) == [
        ("Schema.Registered", "root"),
        ("Adaptor.Created", "root"),
        ("User.Created", "system"),
        ("User.ApiKeyCreated", "ann"),
    ]


def test_the_stamp_changes_nothing_in_the_aggregates_rebuilt_from_the_events(
    catalog: Catalog,
) -> None:
    create_user(CreateUser(ROOT, "ann", "a long password", Role.ADMIN.value), catalog)
    change_role(ChangeRole(ROOT, "ann", Role.VIEWER.value), catalog)

    ann = catalog.user("ann")
    assert (ann.username, ann.role, ann.removed) == ("ann", "viewer", False)
    assert not hasattr(ann, "actor")


def test_sign_ins_refusals_and_sign_outs_are_recorded_each_with_their_own_session(
    catalog: Catalog,
) -> None:
    session_id = uuid4()
    record_sign_in(RecordSignIn("ann", session_id), catalog)
    record_sign_in(RecordSignIn(None, None), catalog)
    record_sign_in(RecordSignIn("ann", None), catalog)
    record_sign_out(RecordSignOut("ann", session_id), catalog)

    assert recorded(catalog) == [
        ("Session.SignedIn", "ann"),
        ("Session.SignInFailed", ANONYMOUS),
        ("Session.SignInFailed", ANONYMOUS),
        ("Session.SignedOut", "ann"),
    ]
    assert catalog.session(session_id).signed_out


def test_a_sign_out_of_a_sign_in_from_before_they_were_recorded_still_shows(
    catalog: Catalog,
) -> None:
    session_id = uuid4()

    record_sign_out(RecordSignOut("ann", session_id), catalog)

    assert recorded(catalog) == [("Session.SignedIn", "ann"), ("Session.SignedOut", "ann")]
    assert isinstance(catalog.session(session_id), Session)
