"""In the PostgreSQL event store a new subject's key is made in the statement that appends
the events sealed under it: it exists exactly when they do. A key made elsewhere first (by
another process) is used instead, and a failed append leaves no key behind and is not
acknowledged."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import uuid4

import psycopg
import pytest

from eventlens.domain.personal import SubjectKey, unseal
from eventlens.domain.tracking import TrackedEvent
from eventlens.eventstore.port import StoreUnavailable
from eventlens.eventstore.postgres import PostgresEventStore
from eventlens.eventstore.sealing import SealingStore
from eventlens.eventstore.subject_keys import SubjectKeys, open_subject_keys
from eventlens.projections.catalog_cache import PersonalFieldIndex
from tests.integration.backends import StoreHandle

pytestmark = [pytest.mark.postgres]

ALICE, BOB, CAROL = "alice-0c41", "bob-77e2", "carol-31f0"


def event(user: str, session: str = "s1") -> TrackedEvent:
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="shop",
        event_type="page_view",
        received_at=datetime.now(UTC),
        user_id=user,
        session_id=session,
    )


@pytest.fixture
def sealing(database_url: str) -> Iterator[tuple[StoreHandle, SubjectKeys]]:
    keys = open_subject_keys(database_url, durable_with_events=True)
    store = SealingStore(
        PostgresEventStore(database_url), keys, PersonalFieldIndex(), keys_with_events=True
    )
    handle = StoreHandle(store)
    handle.call(store.start())
    try:
        yield handle, keys
    finally:
        handle.call(store.close())
        handle.close()


def stored(database_url: str, keys: SubjectKeys, user: str) -> list[tuple[object, ...]]:
    """(subject, the user id opened with the subject's key, key made with the event) of each
    stored event of `user`."""
    found = keys.find(user)
    if found is None:
        return []
    subject, key = found
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT log.event_id, log.payload::jsonb ->> 'sealed', "
            "keys.created_at = log.recorded_at "
            "FROM eventstore_log AS log, eventlens_keys.subject_keys AS keys "
            "WHERE log.payload::jsonb ->> 'subject' = %s AND keys.subject = %s",
            (subject, subject),
        ).fetchall()
    cipher = SubjectKey.of(subject, key).cipher
    return [
        (subject, unseal(cipher, event_id, blob)["user_id"], same) for event_id, blob, same in rows
    ]


def test_a_new_subjects_key_is_made_in_the_transaction_of_its_events(
    database_url: str, sealing: tuple[StoreHandle, SubjectKeys]
) -> None:
    store, keys = sealing

    store.append_concurrently([[event(ALICE)], [event(BOB, "s2")]])

    # now() is a transaction's start: the key and its event were written by one transaction
    alice = stored(database_url, keys, ALICE)
    assert [(user, same) for _, user, same in alice] == [(ALICE, True)]
    assert [(user, same) for _, user, same in stored(database_url, keys, BOB)] == [(BOB, True)]
    # and the process keeps the key it made: the next event is sealed under it
    store.append([event(ALICE)])
    assert {subject for subject, _, _ in stored(database_url, keys, ALICE)} == {alice[0][0]}
    assert len(stored(database_url, keys, ALICE)) == 2


def key_made_elsewhere(database_url: str, user: str) -> str:
    """Another process makes the user's key; its subject (pseudonym)."""
    other = open_subject_keys(database_url)

    async def made() -> str:
        try:
            return (await other.load([user]))[user].subject
        finally:
            await other.close()

    return asyncio.run(made())


def test_a_key_made_elsewhere_first_is_the_one_the_event_is_sealed_with(
    database_url: str, sealing: tuple[StoreHandle, SubjectKeys]
) -> None:
    store, keys = sealing
    # given another process made Alice's key (this one has not seen her)
    subject = key_made_elsewhere(database_url, ALICE)

    # when this process appends her event with a key of its own proposed
    store.append([event(ALICE), event(BOB, "s2")])

    # then it was sealed again with the key made first, and stored once
    alice = stored(database_url, keys, ALICE)
    assert [(s, user) for s, user, _ in alice] == [(subject, ALICE)]
    with psycopg.connect(database_url) as conn:
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM eventstore_log), "
            "(SELECT count(*) FROM eventlens_keys.subject_keys)"
        ).fetchone()
    assert counts == (2, 2)


def test_a_refused_key_holds_back_only_its_own_request(
    database_url: str, sealing: tuple[StoreHandle, SubjectKeys]
) -> None:
    store, keys = sealing
    subject = key_made_elsewhere(database_url, ALICE)

    # when requests of Alice (her key made elsewhere) and of new users arrive together
    store.append_concurrently([[event(ALICE)], [event(BOB, "s2")], [event(CAROL, "s3")]])

    # then each is stored once, Alice's under the key made first, the others' keys with them
    assert [(s, user) for s, user, _ in stored(database_url, keys, ALICE)] == [(subject, ALICE)]
    for user in (BOB, CAROL):
        assert [(u, same) for _, u, same in stored(database_url, keys, user)] == [(user, True)]


def test_a_failed_append_makes_no_key_and_is_not_acknowledged(
    database_url: str, sealing: tuple[StoreHandle, SubjectKeys]
) -> None:
    store, keys = sealing

    # when an append the database refuses carries a new subject's key (a NUL byte is not
    # text to PostgreSQL)
    with pytest.raises(StoreUnavailable):
        store.append([event(ALICE, "bad\x00session")])

    # then neither the key nor the event was written
    assert keys.find(ALICE) is None
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM eventstore_log").fetchone() == (0,)
    # and her next event makes her key with it
    store.append([event(ALICE)])
    assert [(user, same) for _, user, same in stored(database_url, keys, ALICE)] == [(ALICE, True)]
