"""The `audit_log` read model, built from the catalog's history in both event-store modes:
who did what and when, no secrets, and "unknown" for events recorded before actors were."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import psycopg
import pytest

from eventlens.commands.actor import Actor
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.create_api_key import CreateApiKey, create_api_key
from eventlens.commands.create_user import CreateUser, create_user
from eventlens.commands.erase_subject import EraseSubject, erase_subject
from eventlens.commands.record_sign_in import RecordSignIn, record_sign_in
from eventlens.commands.record_sign_out import RecordSignOut, record_sign_out
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.user import Role, User
from eventlens.eventstore.subject_keys import open_subject_keys
from eventlens.projections.audit_log import AuditLog
from tests.integration.backends import Backend, drain

pytestmark = [pytest.mark.postgres]

ROOT = Actor("root", Role.ADMIN)
ANN = Actor("ann", Role.VIEWER)


def audit_rows(backend: Backend) -> list[tuple[str, str, str | None]]:
    with psycopg.connect(backend.database_url) as conn:
        rows = conn.execute("SELECT actor, action, subject FROM audit_log ORDER BY position")
        return [tuple(row) for row in rows.fetchall()]  # type: ignore[misc]


def test_every_catalog_change_is_listed_with_who_made_it(backend: Backend) -> None:
    catalog = backend.catalog
    # given changes to the catalog made by two users, and a sign-in, a refusal and a sign-out
    register_schema(RegisterSchema(ROOT, "shop", None, {"page_view": {}}), catalog)
    site = create_adaptor(CreateAdaptor(ROOT, "Shop", "shop"), catalog)
    create_user(CreateUser(ROOT, "ann", "ann's long password", Role.VIEWER.value), catalog)
    session = uuid4()
    record_sign_in(RecordSignIn("ann", session), catalog)
    create_api_key(CreateApiKey(ANN, "script"), catalog)
    record_sign_in(RecordSignIn(None, None), catalog)
    record_sign_out(RecordSignOut("ann", session), catalog)
    backend.relay_catalog()

    # when the audit log's projection has read the catalog's history
    drain(backend.worker(AuditLog(catalog)), 7)

    # then each change is one entry, in order, naming who made it and what it changed
    assert audit_rows(backend) == [
        ("root", "Schema.Registered", "shop"),
        ("root", "Adaptor.Created", site.container_id),
        ("root", "User.Created", "ann"),
        ("ann", "Session.SignedIn", "ann"),
        ("ann", "User.ApiKeyCreated", "ann"),
        ("anonymous", "Session.SignInFailed", None),
        ("ann", "Session.SignedOut", "ann"),
    ]


def test_entries_show_no_secret_and_events_from_before_actors_show_unknown(
    backend: Backend,
) -> None:
    catalog = backend.catalog
    # given a user recorded the way events were before they carried their actor
    legacy = User.create("old", "argon2-hash-that-must-not-show", Role.ADMIN.value)
    catalog.save(legacy)
    create_api_key(CreateApiKey(Actor("old", Role.ADMIN), "cron"), catalog)
    backend.relay_catalog()

    drain(backend.worker(AuditLog(catalog)), 2)

    with psycopg.connect(backend.database_url) as conn:
        rows = conn.execute(
            "SELECT actor, action, details::text FROM audit_log ORDER BY position"
        ).fetchall()
    assert [(who, action) for who, action, _ in rows] == [
        ("unknown", "User.Created"),
        ("old", "User.ApiKeyCreated"),
    ]
    created, key = rows[0][2], rows[1][2]
    assert "argon2-hash" not in created and "password" not in created
    assert '"role": "admin"' in created
    assert "digest" not in key and '"name": "cron"' in key


def test_an_erasure_shows_who_asked_and_not_whom(backend: Backend) -> None:
    catalog = backend.catalog
    # given a tracked person with a key of their own
    keys = open_subject_keys(backend.database_url)
    asyncio.run(keys.load(["alice-7f3c"]))

    # when an admin erases them
    subject = erase_subject(EraseSubject(Actor("dpo", Role.ADMIN), "alice-7f3c"), catalog, keys)
    asyncio.run(keys.close())
    backend.relay_catalog()
    drain(backend.worker(AuditLog(catalog)), 1)

    # then the audit log says who erased, and holds neither the user id nor its pseudonym
    with psycopg.connect(backend.database_url) as conn:
        rows = conn.execute(
            "SELECT actor, action, subject, details::text FROM audit_log"
        ).fetchall()
    assert [(who, action) for who, action, _, _ in rows] == [("dpo", "Erasure.Recorded")]
    shown = str(rows)
    assert "alice-7f3c" not in shown and subject not in shown
