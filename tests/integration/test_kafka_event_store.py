"""What only the Kafka backend promises: topics, partitioning by session, the catalog relay."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from uuid import uuid4

import orjson
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, ConfigResource  # type: ignore[attr-defined]

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.update_schema import UpdateSchema, update_schema
from eventlens.config import Settings
from eventlens.eventstore.catalog import Catalog, open_catalog
from eventlens.eventstore.catalog_relay import CatalogRelay
from eventlens.eventstore.kafka_topics import ensure_topics
from eventlens.eventstore.port import CATALOG_STREAM, REJECTED_STREAM, TRACKED_STREAM
from tests.integration.backends import Backend, tracked

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture
def kafka(database_url: str, kafka_bootstrap: str, topic_prefix: str) -> Backend:
    settings = Settings(
        database_url=database_url,
        kafka_bootstrap=kafka_bootstrap,
        kafka_topic_prefix=topic_prefix,
        kafka_partitions=4,
    )
    return Backend("kafka", settings, database_url)


def read_all(bootstrap: str, topic: str, expected: int, timeout: float = 30) -> list[object]:
    """Read a topic with a plain Kafka consumer, as any analyst's tool would."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid4()}",
            "auto.offset.reset": "earliest",
            "isolation.level": "read_committed",
        }
    )
    consumer.subscribe([topic])
    messages: list[object] = []
    try:
        import time

        deadline = time.monotonic() + timeout
        while len(messages) < expected and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                messages.append(message)
    finally:
        consumer.close()
    return messages


def test_topics_are_created_with_infinite_retention(kafka: Backend) -> None:
    bootstrap = kafka.settings.kafka_bootstrap
    assert bootstrap is not None
    prefix = kafka.settings.kafka_topic_prefix
    ensure_topics(bootstrap, 4, 1, prefix)
    admin = AdminClient({"bootstrap.servers": bootstrap})
    topics = admin.list_topics(timeout=10).topics
    assert len(topics[prefix + TRACKED_STREAM].partitions) == 4
    assert len(topics[prefix + CATALOG_STREAM].partitions) == 1
    resource = ConfigResource("topic", prefix + TRACKED_STREAM)
    config = admin.describe_configs([resource])[resource].result()
    assert config["retention.ms"].value == "-1"
    assert config["retention.bytes"].value == "-1"


@pytest.mark.parametrize("appends", ["one append", "an append each, all in one turn"])
def test_a_sessions_events_share_a_partition_and_stay_in_order(
    kafka: Backend, appends: str
) -> None:
    events = [tracked(session=f"s{i % 3}", n=i) for i in range(30)]
    with kafka.running_store() as store:
        if appends == "one append":
            store.append(events)
        else:  # the turn's first appends are produced at once, the rest when the turn ends
            store.append_concurrently([[event] for event in events])
    bootstrap = kafka.settings.kafka_bootstrap
    assert bootstrap is not None
    messages = read_all(bootstrap, kafka.settings.kafka_topic_prefix + TRACKED_STREAM, 30)
    assert len(messages) == 30
    by_session: dict[str, list[tuple[int, int]]] = {}
    for message in messages:
        body = orjson.loads(message.value())  # type: ignore[attr-defined]
        by_session.setdefault(body["session_id"], []).append(
            (message.partition(), body["properties"]["n"])  # type: ignore[attr-defined]
        )
    for seen in by_session.values():
        assert len({partition for partition, _ in seen}) == 1
        assert [n for _, n in seen] == sorted(n for _, n in seen)


def test_sessions_are_spread_over_the_partitions_by_key(kafka: Backend) -> None:
    events = [tracked(session=f"s{i}", n=i) for i in range(24)]
    with kafka.running_store() as store:
        store.append(events[:12])
        store.append(events[12:])
        store.append([tracked(session=f"s{i}", n=100 + i) for i in range(24)])
    bootstrap = kafka.settings.kafka_bootstrap
    assert bootstrap is not None
    messages = read_all(bootstrap, kafka.settings.kafka_topic_prefix + TRACKED_STREAM, 48)
    partitions: dict[str, set[int]] = {}
    for message in messages:
        body = orjson.loads(message.value())  # type: ignore[attr-defined]
        partitions.setdefault(body["session_id"], set()).add(message.partition())  # type: ignore[attr-defined]
    assert all(len(seen) == 1 for seen in partitions.values())  # across appends too
    assert len(set.union(*partitions.values())) > 1


@pytest.fixture
def catalog(database_url: str) -> Iterator[Catalog]:
    catalog = open_catalog(database_url)
    yield catalog
    catalog.close()


def relayed_ids(bootstrap: str, topic: str, expected: int) -> list[int]:
    return [
        orjson.loads(m.value())["notification_id"]  # type: ignore[attr-defined]
        for m in read_all(bootstrap, topic, expected, timeout=15)
    ]


def test_the_relay_copies_the_catalog_log_exactly_once_and_in_order(
    kafka: Backend, catalog: Catalog
) -> None:
    bootstrap, topic = _relay_target(kafka)
    for i in range(5):
        register_schema(RegisterSchema(SYSTEM, f"schema_{i}", None, {"a": {}}), catalog)
    relay = CatalogRelay(catalog.recorder, bootstrap, topic, f"relay-{uuid4()}")
    relay.start()
    assert relay.relay_once() == 5
    update_schema(UpdateSchema(SYSTEM, "schema_0", "changed"), catalog)
    assert relay.relay_once() == 1
    assert relay.relay_once() == 0
    relay.close()

    ids = relayed_ids(bootstrap, topic, 6)
    assert ids == [1, 2, 3, 4, 5, 6]


def test_a_relay_that_died_mid_transaction_is_fenced_and_its_successor_neither_skips_nor_repeats(
    kafka: Backend, catalog: Catalog
) -> None:
    bootstrap, topic = _relay_target(kafka)
    transactional_id = f"relay-{uuid4()}"
    for i in range(3):
        register_schema(RegisterSchema(SYSTEM, f"schema_{i}", None, {"a": {}}), catalog)
    first = CatalogRelay(catalog.recorder, bootstrap, topic, transactional_id)
    first.start()
    assert first.relay_once() == 3
    # The first relay starts another page and dies before committing it.
    for i in range(3, 6):
        register_schema(RegisterSchema(SYSTEM, f"schema_{i}", None, {"a": {}}), catalog)
    zombie = Producer(
        {"bootstrap.servers": bootstrap, "transactional.id": transactional_id, "acks": "all"}
    )
    zombie.init_transactions(30)
    zombie.begin_transaction()
    zombie.produce(topic, value=b'{"notification_id": 4}', headers={"notification_id": b"4"})
    zombie.flush(10)

    successor = CatalogRelay(catalog.recorder, bootstrap, topic, transactional_id)
    successor.start()  # fences the zombie, aborting its open transaction
    assert successor.last_relayed == 3
    assert successor.relay_once() == 3
    successor.close()

    assert relayed_ids(bootstrap, topic, 6) == [1, 2, 3, 4, 5, 6]


def test_the_relay_runs_in_one_worker_process_at_a_time(kafka: Backend, catalog: Catalog) -> None:
    from eventlens.runtime.workers import Workers

    bootstrap, topic = _relay_target(kafka)
    register_schema(RegisterSchema(SYSTEM, "shop", None, {"a": {}}), catalog)
    first = Workers(kafka.settings, kafka.database_url)
    second = Workers(kafka.settings, kafka.database_url)
    threads = [threading.Thread(target=w.start) for w in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        register_schema(RegisterSchema(SYSTEM, "shop_2", None, {"a": {}}), catalog)
        assert relayed_ids(bootstrap, topic, 2) == [1, 2]
    finally:
        first.close()
        second.close()


def _relay_target(kafka: Backend) -> tuple[str, str]:
    bootstrap = kafka.settings.kafka_bootstrap
    assert bootstrap is not None
    ensure_topics(bootstrap, 2, 1, kafka.settings.kafka_topic_prefix)
    return bootstrap, kafka.settings.kafka_topic_prefix + CATALOG_STREAM


def test_an_event_the_broker_refuses_fails_its_append_and_later_appends_still_succeed(
    kafka: Backend, kafka_bootstrap: str, topic_prefix: str
) -> None:
    from confluent_kafka.admin import NewTopic  # type: ignore[attr-defined]

    from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode
    from eventlens.eventstore.port import StoreUnavailable

    # The tracked topic takes no message larger than 64 bytes: every event is refused.
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    topic = NewTopic(topic_prefix + TRACKED_STREAM, 4, 1, config={"max.message.bytes": "64"})
    admin.create_topics([topic])[topic.topic].result(30)
    rejected = RejectedEvent(
        tracked(event_type="nope"), (Reason(RejectionCode.UNKNOWN_EVENT_TYPE, "no"),)
    )

    with kafka.running_store() as store:
        for _ in range(2):
            with pytest.raises(StoreUnavailable, match="Kafka refused the event"):
                store.append([tracked()])
        store.call(lambda: store.store.append_rejected([rejected]))  # its own topic takes it

    assert len(read_all(kafka_bootstrap, topic_prefix + REJECTED_STREAM, 1)) == 1


def test_an_append_larger_than_the_producers_queue_fails_and_the_store_goes_on(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    from eventlens.eventstore.kafka import KafkaEventStore
    from eventlens.eventstore.port import StoreUnavailable
    from tests.integration.backends import StoreHandle

    # The producer holds at most 5 messages, and lingers so that they stay there a while.
    small = {"queue.buffering.max.messages": 5, "linger.ms": 200}
    store = StoreHandle(
        KafkaEventStore(kafka_bootstrap, 4, prefix=topic_prefix, producer_settings=small)
    )
    topic = topic_prefix + TRACKED_STREAM
    store.call(store.store.start())
    try:
        with pytest.raises(StoreUnavailable, match="Queue full"):
            store.append([tracked(session=f"s{i}") for i in range(8)])
        assert len(read_all(kafka_bootstrap, topic, 5)) == 5  # the queued five went out
        store.append([tracked(session="later", n=1)])
        store.append([tracked(session=f"l{i}", n=2) for i in range(5)])
    finally:
        store.call(store.store.close())
        store.close()

    # What was queued of the refused append still arrives (the client's retry is removed as
    # a duplicate by the projections); nothing else of it does.
    assert len(read_all(kafka_bootstrap, topic, 12, timeout=5)) == 11  # no more than that


class _ProducerThatFailsOnce:
    """The store's producer, except that its next `produce_batch` raises."""

    def __init__(self, producer: Producer) -> None:
        self._producer = producer
        self.failed = False

    def produce_batch(self, topic: str, messages: list[dict[str, object]]) -> int:
        if not self.failed:
            self.failed = True
            raise RuntimeError("the producer broke")
        return int(self._producer.produce_batch(topic, messages))

    def __getattr__(self, name: str) -> object:
        return getattr(self._producer, name)


def test_appends_the_producer_fails_to_take_are_answered_and_the_store_goes_on(
    kafka: Backend, kafka_bootstrap: str
) -> None:
    from eventlens.eventstore.port import StoreUnavailable

    with kafka.running_store() as store:
        store.append([tracked()])  # the topic exists, the producer is connected
        store.store._producer = _ProducerThatFailsOnce(store.store._producer)  # type: ignore[attr-defined]

        async def twenty_in_one_turn() -> list[BaseException | None]:
            # More than a turn hands over at once: the rest go when the turn ends.
            appends = [store.store.append_tracked([tracked(session=f"s{i}")]) for i in range(20)]
            return await asyncio.gather(*appends, return_exceptions=True)

        outcomes = store.call(twenty_in_one_turn())
        store.append([tracked(session="after")])  # and the store goes on
    failed = [o for o in outcomes if o is not None]
    assert len(failed) == 1  # the first append's own call; the others went in later calls
    assert isinstance(failed[0], StoreUnavailable)
    assert "the producer broke" in str(failed[0])
    topic = kafka.settings.kafka_topic_prefix + TRACKED_STREAM
    assert len(read_all(kafka_bootstrap, topic, 21, timeout=10)) == 21  # 1 + 19 + 1
