"""Crypto-shredding, in both event-store modes: personal fields are stored encrypted under
their subject's key, the master log shows the user id while the key exists, and erasing the
subject leaves no table and no Kafka message with their user id or personal values, every
count as it was, and a replay cannot bring them back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from eventlens.commands.actor import SYSTEM, Actor
from eventlens.commands.erase_subject import EraseSubject, erase_subject
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.errors import NotFound
from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode, TrackedEvent
from eventlens.domain.user import Role
from eventlens.eventstore.port import StoreUnavailable
from eventlens.eventstore.sealing import SealingStore
from eventlens.eventstore.subject_keys import SubjectKeys, open_subject_keys
from eventlens.projections.catalog_cache import CatalogCache
from eventlens.projections.projection import counted_streams
from eventlens.projections.rejected_events import RejectedEvents
from eventlens.projections.replay import replay
from eventlens.projections.tracked_events import TrackedEvents
from eventlens.runtime.wiring import make_head_probe, make_store, reader_factory
from tests.integration.backends import Backend, StoreHandle, drain
from tests.privacy_scan import kafka_messages_holding, places_holding

pytestmark = [pytest.mark.postgres]

ALICE, ALICE_MAIL = "alice-7f3c", "alice-7f3c@example.com"
BOB, BOB_MAIL = "bob-91ad", "bob-91ad@example.com"
COUNTS = (
    "stats_minutely",
    "stats_hourly",
    "stats_daily",
    "stats_daily_uniques",
    "stats_hourly_uniques",
    "stats_daily_dimensions",
)
EVENT_TYPES = {
    "signup": {
        "type": "object",
        "properties": {"email": {"type": "string", "x-personal": True}, "plan": {}},
    },
    "page_view": {},
}


def event(user: str | None, event_type: str = "page_view", **props: Any) -> TrackedEvent:
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="shop",
        event_type=event_type,
        received_at=datetime.now(UTC),
        user_id=user,
        session_id={ALICE: "s1", BOB: "s2"}.get(user or "", "s3"),
        properties=props,
    )


@pytest.fixture
def sealing(backend: Backend) -> Iterator[tuple[StoreHandle, SubjectKeys]]:
    register_schema(RegisterSchema(SYSTEM, "shop", "Shop", EVENT_TYPES), backend.catalog)
    backend.relay_catalog()
    cache = CatalogCache(backend.catalog)
    cache.refresh()
    keys = open_subject_keys(backend.database_url)
    store = SealingStore(
        make_store(backend.settings, backend.database_url),
        keys,
        cache.personal_fields,
        keys_with_events=not backend.settings.kafka_bootstrap,
    )
    handle = StoreHandle(store)
    handle.call(store.start())
    try:
        yield handle, keys
    finally:
        handle.call(store.close())
        handle.close()


def project(backend: Backend, at_least: int) -> None:
    for projection in (TrackedEvents(), RejectedEvents()):
        drain(backend.worker(projection), at_least=at_least if projection.name == "events" else 0)


def counts(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(database_url) as conn:
        snapshot = {
            table: conn.execute(
                sql.SQL("SELECT * FROM {} ORDER BY 1, 2, 3").format(sql.Identifier(table))
            ).fetchall()
            for table in COUNTS
        }
        snapshot["event_logs"] = conn.execute(
            "SELECT count(*), count(DISTINCT user_id) FROM event_logs"
        ).fetchall()
    return snapshot


def test_personal_fields_are_sealed_in_the_store_and_shown_to_the_master_log_alone(
    backend: Backend, sealing: tuple[StoreHandle, SubjectKeys]
) -> None:
    store, _ = sealing
    store.append([event(ALICE, "signup", email=ALICE_MAIL, plan="pro"), event(ALICE), event(None)])
    project(backend, at_least=3)

    with psycopg.connect(backend.database_url) as conn:
        rows = conn.execute(
            "SELECT event_type, user_id, properties, subject_id IS NOT NULL, sealed IS NOT NULL "
            "FROM event_logs ORDER BY event_type, user_id"
        ).fetchall()
    assert rows == [
        ("page_view", ALICE, {}, True, True),
        ("page_view", None, {}, False, False),
        ("signup", ALICE, {"plan": "pro"}, True, True),  # the e-mail stays sealed
    ]
    stored = (
        kafka_messages_holding(
            backend.settings.kafka_bootstrap, backend.settings.kafka_topic_prefix, ALICE, ALICE_MAIL
        )
        if backend.settings.kafka_bootstrap
        else places_holding(backend.database_url, ALICE, ALICE_MAIL)
    )
    shown = {f"public.{table}.user_id: {ALICE}" for table in ("event_logs", "events_shop")}
    assert set(stored) <= shown


def test_erasing_a_subject_leaves_nothing_readable_and_every_count_as_it_was(
    backend: Backend, sealing: tuple[StoreHandle, SubjectKeys]
) -> None:
    store, keys = sealing
    refused = RejectedEvent(event(ALICE, "nope"), (Reason(RejectionCode.UNKNOWN_EVENT_TYPE, "no"),))
    store.append(
        [
            event(ALICE, "signup", email=ALICE_MAIL, plan="pro"),
            event(ALICE, page_path="/a"),
            event(BOB, "signup", email=BOB_MAIL, plan="free"),
            event(BOB, page_path="/b"),
        ]
    )
    store.call(lambda: store.store.append_rejected([refused]))
    project(backend, at_least=4)
    before = counts(backend.database_url)
    admin = Actor("dpo", Role.ADMIN)

    subject = erase_subject(EraseSubject(admin, ALICE), backend.catalog, keys)
    backend.relay_catalog()
    project(backend, at_least=0)

    assert places_holding(backend.database_url, ALICE, ALICE_MAIL) == []
    if backend.settings.kafka_bootstrap:
        assert (
            kafka_messages_holding(
                backend.settings.kafka_bootstrap,
                backend.settings.kafka_topic_prefix,
                ALICE,
                ALICE_MAIL,
            )
            == []
        )
    assert counts(backend.database_url) == before
    with psycopg.connect(backend.database_url) as conn:
        users = conn.execute("SELECT DISTINCT user_id FROM event_logs ORDER BY 1").fetchall()
        erasures = conn.execute(
            "SELECT count(*) FROM eventlens_catalog_events WHERE topic LIKE %s",
            ("%Erasure.Recorded",),
        ).fetchone()
    assert users == [(BOB,), (subject,)]  # Bob untouched; Alice's events kept, unnamed
    assert erasures == (1,)
    assert keys.find(BOB) is not None

    # A replay of the history cannot bring her back: her key is gone.
    probe = make_head_probe(backend.settings, backend.database_url)
    for projection in (TrackedEvents(), RejectedEvents()):
        replay(
            backend.database_url,
            projection,
            reader_factory(
                backend.settings,
                backend.database_url,
                projection,
                backend.catalog,
                f"{projection.name}-replay",
            ),
            lambda p=projection: probe.totals(counted_streams(p.streams)),  # type: ignore[misc]
        )
    assert places_holding(backend.database_url, ALICE, ALICE_MAIL) == []
    assert counts(backend.database_url) == before


def test_erasing_an_unknown_subject_answers_not_found_and_changes_nothing(
    backend: Backend, sealing: tuple[StoreHandle, SubjectKeys]
) -> None:
    store, keys = sealing
    store.append([event(BOB)])
    project(backend, at_least=1)
    before = counts(backend.database_url)

    with pytest.raises(NotFound, match="no personal data is held"):
        erase_subject(EraseSubject(Actor("dpo", Role.ADMIN), "nobody"), backend.catalog, keys)

    assert counts(backend.database_url) == before
    assert keys.find(BOB) is not None


def test_processes_seeing_a_new_user_id_at_once_agree_on_one_key(database_url: str) -> None:
    first, second = open_subject_keys(database_url), open_subject_keys(database_url)

    async def both() -> tuple[Any, Any]:
        try:
            return await asyncio.gather(first.load([ALICE, BOB]), second.load([ALICE]))
        finally:
            await first.close()
            await second.close()

    one, other = asyncio.run(both())

    assert one[ALICE].subject == other[ALICE].subject
    assert one[ALICE].subject != one[BOB].subject
    assert first.find(ALICE) == second.find(ALICE)


def test_new_user_ids_asked_for_at_once_are_made_in_few_round_trips(database_url: str) -> None:
    keys = open_subject_keys(database_url)
    users = [f"user-{n}" for n in range(200)]

    async def one_request_each() -> list[Any]:
        try:
            return await asyncio.gather(*(keys.load([user]) for user in users))
        finally:
            await keys.close()

    loaded = asyncio.run(one_request_each())

    assert [list(each) for each in loaded] == [[user] for user in users]
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(DISTINCT created_at) FROM eventlens_keys.subject_keys "
            "WHERE subject = ANY(%s)",
            ([each[user].subject for each, user in zip(loaded, users, strict=True)],),
        ).fetchone()
    assert row is not None and row[0] <= 3  # a transaction's now() is its start time


def test_an_event_whose_key_cannot_be_made_fails_and_is_not_stored(
    backend: Backend, sealing: tuple[StoreHandle, SubjectKeys]
) -> None:
    # given a sealing store whose key database does not answer
    store, _ = sealing
    assert isinstance(store.store, SealingStore)
    cache = CatalogCache(backend.catalog)
    cache.refresh()
    unreachable = SubjectKeys("postgresql://nobody@127.0.0.1:1/none", b"s" * 32)
    broken = SealingStore(store.store.inner, unreachable, cache.personal_fields)
    lost, kept = event("carol-5e21", "signup", email="carol@example.com"), event(None)

    # when an event of a new user is appended, with one that has nothing personal
    with pytest.raises(StoreUnavailable, match="keys could not be read"):
        store.call(lambda: broken.append_tracked([lost, kept]))

    # then neither is stored (the request is refused whole), and the store still takes events
    store.append([event(BOB)])
    project(backend, at_least=1)
    with psycopg.connect(backend.database_url) as conn:
        rows = conn.execute("SELECT user_id FROM event_logs").fetchall()
    assert rows == [(BOB,)]


def test_the_key_connection_is_made_again_after_the_database_dropped_it(
    database_url: str,
) -> None:
    keys = open_subject_keys(database_url)

    async def loads() -> tuple[Any, list[str]]:
        try:
            first = await keys.load([ALICE])
            # given the server ends the key connection (a restart, an administrator)
            with psycopg.connect(database_url, autocommit=True) as conn:
                ended = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND query LIKE '%%eventlens_keys%%'"
                ).fetchall()
            assert ended == [(True,)]
            # when keys are asked for again, a request sent before the loss is seen fails
            # (503: the client sends it again) and the next one connects again
            failures = []
            for _ in range(3):
                try:
                    again = await keys.load([ALICE, BOB])
                    break
                except StoreUnavailable as error:
                    failures.append(str(error))
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"no key after the connection was lost: {failures}")
            return (first, again), failures
        finally:
            await keys.close()

    (first, again), failures = asyncio.run(loads())

    # then the keys are those made before
    assert again[ALICE].subject == first[ALICE].subject
    assert len(failures) <= 1
