"""The Kafka event store: the scale-out backend.

Tracked events go to `analytics.events`, keyed by session so a session stays in one
partition and in order; rejected events to `analytics.events.rejected`. The producer is
idempotent with `acks=all`, and an append returns only after the broker acknowledged every
event in it. Duplicate event ids (client retries) are removed by the projections, which
record each event id once in the same transaction as their offsets.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    Producer,
    TopicPartition,
)

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
    # A broker that went away is tried again at least every second, not every 10 s (the
    # default back-off's ceiling): ingest recovers soon after the broker returns.
    "reconnect.backoff.max.ms": 1000,
}
# How long an append waits for the broker's acknowledgement: when the broker is down, the
# request is answered 503 once this has passed, instead of waiting for the broker's return.
# A message that timed out may still have been written (its acknowledgement lost): the sender
# retries with the same event id, and the projections record each event id once.
DELIVERY_TIMEOUT_MS = 2000
# A turn of the event loop hands this many appends to the producer as they come; the rest of
# the turn's appends go in one call per topic when it ends. Each call wakes the producer's
# threads, but holding every append to the turn's end would split a small burst across two of
# the producer's lingers (docs/BENCHMARKS.md, "The first eight appends of a turn go to the
# producer at once").
HANDED_OVER_AT_ONCE = 8
# While any message awaits its delivery report, the event loop polls for reports this often.
POLL_INTERVAL = 0.0005  # seconds
CLOSE_TIMEOUT = 10.0  # seconds to wait for the reports still due when closing

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Outgoing:
    topic: str
    messages: list[dict[str, Any]]
    done: asyncio.Future[None]


def _delivery_failed(error: KafkaError) -> str:
    if error.code() == KafkaError._MSG_TIMED_OUT:
        return (
            "Kafka did not acknowledge the events in time (is the broker down?); whether they "
            "were recorded is unknown: send them again with the same event ids"
        )
    return f"Kafka refused the event: {error}"


def _fail_all(appends: list[_Outgoing], error: StoreUnavailable) -> None:
    for append in appends:
        if not append.done.done():
            append.done.set_exception(error)


class KafkaEventStore:
    """Appends to Kafka; delivery reports are served on the event loop.

    The producer's reports are polled by a task of the event loop, only while some are due,
    and each resolves its append's future directly: a thread polling them would take the GIL
    from the event loop for every report and wake the loop through a pipe (docs/BENCHMARKS.md,
    "Kafka delivery reports polled on the event loop").
    """

    def __init__(
        self,
        bootstrap: str,
        partitions: int = 6,
        replication: int = 1,
        prefix: str = "",
        producer_settings: Mapping[str, Any] | None = None,
        delivery_timeout_ms: int = DELIVERY_TIMEOUT_MS,
    ) -> None:
        self._bootstrap = bootstrap
        self._producer_settings = {
            **PRODUCER_DEFAULTS,
            "delivery.timeout.ms": max(1, delivery_timeout_ms),
            **(producer_settings or {}),
        }
        self._prefix = prefix
        self._partitions = partitions
        self._replication = replication
        self._producer: Producer | None = None
        self._poller: asyncio.Task[None] | None = None
        self._due = 0  # messages produced whose delivery report has not come yet
        self._waiting: set[asyncio.Future[None]] = set()
        self._outgoing: list[_Outgoing] = []  # appends not yet handed to the producer
        self._turn_appends = 0  # appends made in this turn of the event loop
        self._closing = False
        # Kept, not looked up per append (on Python 3.11 that is a getpid() system call).
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await asyncio.to_thread(
            ensure_topics, self._bootstrap, self._partitions, self._replication, self._prefix
        )
        self._producer = Producer({"bootstrap.servers": self._bootstrap, **self._producer_settings})

    async def close(self) -> None:
        self._closing = True
        if self._poller is not None and not self._poller.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._poller), CLOSE_TIMEOUT)
            except TimeoutError:
                self._poller.cancel()
        self._fail_waiting(StoreUnavailable("the event store closed before Kafka answered"))

    def append_tracked(self, events: Sequence[TrackedEvent]) -> asyncio.Future[None]:
        return self._produce(
            self._prefix + TRACKED_STREAM, [(e.partition_key, encode_tracked(e)) for e in events]
        )

    def append_rejected(self, events: Sequence[RejectedEvent]) -> asyncio.Future[None]:
        return self._produce(
            self._prefix + REJECTED_STREAM,
            [(r.event.partition_key, encode_rejected(r)) for r in events],
        )

    def _produce(self, topic: str, messages: list[tuple[str, bytes]]) -> asyncio.Future[None]:
        """Produce all messages; the future resolves once the broker acknowledged them all.

        The first appends of a turn of the event loop are handed to the producer at once;
        when a turn makes more, the rest are handed over together when it ends."""
        loop = self._loop or asyncio.get_running_loop()
        done: asyncio.Future[None] = loop.create_future()
        if not messages:
            done.set_result(None)
            return done
        if self._producer is None or self._closing:
            done.set_exception(StoreUnavailable("the event store is not running"))
            return done
        pending = len(messages)

        # Called on the event loop, from the poller's poll: count down, resolve once.
        def on_delivery(error: KafkaError | None, _message: object) -> None:
            nonlocal pending
            self._due -= 1
            if done.done():
                return
            if error is not None:
                done.set_exception(StoreUnavailable(_delivery_failed(error)))
                return
            pending -= 1
            if pending == 0:
                done.set_result(None)

        batch = [{"key": key, "value": value, "callback": on_delivery} for key, value in messages]
        self._outgoing.append(_Outgoing(topic, batch, done))
        self._waiting.add(done)
        done.add_done_callback(self._waiting.discard)
        if self._turn_appends == 0:
            loop.call_soon(self._end_turn)
        self._turn_appends += 1
        if self._turn_appends <= HANDED_OVER_AT_ONCE:
            self._hand_over()
        return done

    def _end_turn(self) -> None:
        self._turn_appends = 0
        if self._outgoing:
            self._hand_over()

    def _hand_over(self) -> None:
        """Give the producer the messages of the appends waiting, one `produce_batch` call
        per topic (tracked, rejected), since each call wakes the producer's threads. The key
        still picks each message's partition, and appends keep their order."""
        outgoing, self._outgoing = self._outgoing, []
        producer = self._producer
        try:
            for topic in dict.fromkeys(o.topic for o in outgoing):
                appends = [o for o in outgoing if o.topic == topic]
                if producer is None or self._closing:
                    _fail_all(appends, StoreUnavailable("the event store closed"))
                    continue
                self._produce_batch(producer, topic, appends)
        finally:
            if self._due and (self._poller is None or self._poller.done()):
                loop = self._loop or asyncio.get_running_loop()
                self._poller = loop.create_task(self._poll_while_due(), name="kafka-deliveries")

    def _produce_batch(self, producer: Producer, topic: str, appends: list[_Outgoing]) -> None:
        messages = [m for append in appends for m in append.messages]
        try:
            queued = producer.produce_batch(topic, messages)
        except Exception as error:  # refused as a whole, before any message was queued
            log.warning("Kafka could not take %d events: %s", len(messages), error)
            _fail_all(appends, StoreUnavailable(f"Kafka could not take the events: {error}"))
            return
        self._due += queued
        if queued < len(messages):  # the rest carry their error; only the queued get a report
            for append in appends:
                refused = next((m["_error"] for m in append.messages if "_error" in m), None)
                if refused is not None and not append.done.done():
                    append.done.set_exception(
                        StoreUnavailable(f"Kafka could not take the event: {refused}")
                    )

    async def _poll_while_due(self) -> None:
        producer = self._producer
        assert producer is not None
        try:
            while self._due > 0:
                producer.poll(0)
                if self._due > 0:
                    await asyncio.sleep(POLL_INTERVAL)
        except Exception as error:  # a fatal producer error: no report will come any more
            log.exception("Kafka producer failed")
            self._fail_waiting(StoreUnavailable(f"the Kafka producer failed: {error}"))

    def _fail_waiting(self, error: StoreUnavailable) -> None:
        for future in self._waiting:
            if not future.done():
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
        # Each assigned partition's stream and position key, made once, not per message.
        self._assigned: dict[tuple[str, int], tuple[str, str]] = {}
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
            self._assigned[(tp.topic, tp.partition)] = (tp.topic.removeprefix(self._prefix), source)
            if source in stored:
                self._next[source] = stored[source]
        consumer.incremental_assign(partitions)

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        for tp in partitions:
            self._assigned.pop((tp.topic, tp.partition), None)
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
            value, offset = message.value(), message.offset()
            assigned = self._assigned.get((message.topic(), message.partition()))  # type: ignore[arg-type]
            if assigned is None or offset is None or value is None:
                continue  # revoked while this batch was in flight
            stream, source = assigned
            if source not in start_positions:
                start_positions[source] = self._next.get(source)
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
