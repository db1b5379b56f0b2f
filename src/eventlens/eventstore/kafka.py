"""The Kafka event store: the scale-out backend.

Tracked events go to `analytics.events`, keyed by session so a session stays in one
partition and in order; rejected events to `analytics.events.rejected`. The producer is
idempotent with `acks=all`, and an append returns only after the broker acknowledged every
event in it. Duplicate event ids (client retries) are removed by the projections, which
record each event id once in the same transaction as their offsets.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, Producer, TopicPartition

from eventlens.domain.tracking import RejectedEvent, TrackedEvent
from eventlens.eventstore.codec import encode_rejected, encode_tracked
from eventlens.eventstore.kafka_topics import ensure_topics
from eventlens.eventstore.port import (
    REJECTED_STREAM,
    TRACKED_STREAM,
    Batch,
    StoredRecord,
    StoreUnavailable,
)

PRODUCER_DEFAULTS = {
    "enable.idempotence": True,
    "acks": "all",
    "linger.ms": 0.5,
    "socket.nagle.disable": True,
    "compression.type": "lz4",
    "delivery.timeout.ms": 30000,
}


class KafkaEventStore:
    def __init__(
        self, bootstrap: str, partitions: int = 6, replication: int = 1, prefix: str = ""
    ) -> None:
        self._bootstrap = bootstrap
        self._prefix = prefix
        self._partitions = partitions
        self._replication = replication
        self._producer: Producer | None = None
        self._poller: threading.Thread | None = None
        self._stopping = threading.Event()
        # Kept, not looked up per append (on Python 3.11 that is a getpid() system call).
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await asyncio.to_thread(
            ensure_topics, self._bootstrap, self._partitions, self._replication, self._prefix
        )
        self._producer = Producer({"bootstrap.servers": self._bootstrap, **PRODUCER_DEFAULTS})
        self._poller = threading.Thread(
            target=self._poll_forever, name="kafka-delivery", daemon=True
        )
        self._poller.start()

    async def close(self) -> None:
        self._stopping.set()
        if self._poller is not None:
            await asyncio.to_thread(self._poller.join)
        if self._producer is not None:
            await asyncio.to_thread(self._producer.flush, 10)

    def _poll_forever(self) -> None:
        assert self._producer is not None
        while not self._stopping.is_set():
            self._producer.poll(0.05)

    async def append_tracked(self, events: Sequence[TrackedEvent]) -> None:
        await self._produce(
            self._prefix + TRACKED_STREAM, [(e.partition_key, encode_tracked(e)) for e in events]
        )

    async def append_rejected(self, events: Sequence[RejectedEvent]) -> None:
        await self._produce(
            self._prefix + REJECTED_STREAM,
            [(r.event.partition_key, encode_rejected(r)) for r in events],
        )

    async def _produce(self, topic: str, messages: list[tuple[str, bytes]]) -> None:
        """Produce all messages and wait until the broker acknowledged every one of them."""
        if not messages:
            return
        loop = self._loop
        if self._producer is None or loop is None:
            raise StoreUnavailable("the event store is not running")
        done: asyncio.Future[None] = loop.create_future()
        pending = len(messages)

        # Called on the delivery thread: count down, and wake the request once (one future
        # per append, not per message).
        def on_delivery(error: KafkaError | None, _message: object) -> None:
            nonlocal pending
            if error is not None:
                failure = StoreUnavailable(f"Kafka refused the event: {error}")
                loop.call_soon_threadsafe(_resolve, done, failure)
                return
            pending -= 1
            if pending == 0:
                loop.call_soon_threadsafe(_resolve, done, None)

        for key, value in messages:
            try:
                self._producer.produce(topic, value=value, key=key, on_delivery=on_delivery)
            except BufferError as error:
                raise StoreUnavailable(f"the Kafka producer queue is full: {error}") from None
        await done


def _resolve(future: asyncio.Future[None], error: Exception | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


class KafkaEventReader:
    """A consumer-group member; offsets live in PostgreSQL with the read models.

    On every assignment the worker's stored offsets are loaded and the consumer seeks to
    them, so Kafka's own committed offsets are never relied upon.
    """

    def __init__(
        self,
        bootstrap: str,
        group_id: str,
        load_positions: Any,
        streams: Sequence[str] = (TRACKED_STREAM, REJECTED_STREAM),
        prefix: str = "",
    ) -> None:
        self._prefix = prefix
        self._topics = [prefix + stream for stream in streams]
        self._load_positions = load_positions
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group_id,
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
                "partition.assignment.strategy": "cooperative-sticky",
                # A worker that died (SIGKILL) holds its partitions until this expires.
                "session.timeout.ms": 10000,
                # The broker answers a fetch once it has this much data or after this long
                # (the default 500 ms would be the freshness). Without a minimum, a trickle of
                # events turns into a fetch per message, and the broker's CPU goes to fetches.
                "fetch.wait.max.ms": 20,
                "fetch.min.bytes": 65536,
                "heartbeat.interval.ms": 2000,
            }
        )
        self._assigned: set[tuple[str, int]] = set()
        self._next: dict[str, int] = {}

    @property
    def assigned(self) -> set[tuple[str, int]]:
        return set(self._assigned)

    def open(self, positions: dict[str, int]) -> None:
        self._consumer.subscribe(
            self._topics,
            on_assign=self._on_assign,
            on_revoke=self._on_revoke,
            on_lost=self._on_revoke,
        )

    def _on_assign(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        stored: dict[str, int] = self._load_positions()
        for tp in partitions:
            source = f"{tp.topic}/{tp.partition}"
            tp.offset = stored.get(source, OFFSET_BEGINNING)
            self._assigned.add((tp.topic, tp.partition))
            if source in stored:
                self._next[source] = stored[source]
        consumer.incremental_assign(partitions)

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self._assigned.discard((tp.topic, tp.partition))
            self._next.pop(f"{tp.topic}/{tp.partition}", None)
        consumer.incremental_unassign(partitions)

    def read_batch(self, max_records: int, timeout: float) -> Batch:
        # Wait (up to `timeout`) for the first message only, then take whatever else is already
        # fetched: waiting for a full batch would hold a lone event back for the whole timeout.
        messages = self._consumer.consume(num_messages=1, timeout=timeout)
        if messages and max_records > 1:
            messages += self._consumer.consume(num_messages=max_records - 1, timeout=0)
        records: list[StoredRecord] = []
        start_positions: dict[str, int | None] = {}
        next_positions: dict[str, int] = {}
        for message in messages:
            error = message.error()
            if error is not None:
                if error.code() == KafkaError._PARTITION_EOF:
                    continue
                raise StoreUnavailable(f"Kafka read failed: {error}")
            topic, partition, offset = message.topic(), message.partition(), message.offset()
            value = message.value()
            if topic is None or partition is None or offset is None or value is None:
                continue
            if (topic, partition) not in self._assigned:
                continue  # revoked while this batch was in flight
            source = f"{topic}/{partition}"
            if source not in start_positions:
                start_positions[source] = self._next.get(source)
            stream = topic.removeprefix(self._prefix)
            records.append(StoredRecord(stream, source, offset, value))
            next_positions[source] = offset + 1
        self._next.update(next_positions)
        return Batch(records, start_positions, next_positions)

    def rewind(self, stored: dict[str, int]) -> None:
        """Forget in-flight reads: seek every assigned partition back to its stored offset."""
        for topic, partition in self.assigned:
            source = f"{topic}/{partition}"
            offset = stored.get(source, OFFSET_BEGINNING)
            self._consumer.seek(TopicPartition(topic, partition, offset))
            if source in stored:
                self._next[source] = stored[source]
            else:
                self._next.pop(source, None)

    def close(self) -> None:
        self._consumer.close()
