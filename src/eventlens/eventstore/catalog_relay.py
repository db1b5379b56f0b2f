"""The catalog outbox relay (Kafka mode).

Kafka has no expected-version append, so the catalog aggregates are recorded with
eventsourcing's PostgreSQL recorder, whose notification log is the outbox. This relay copies
that log to the catalog topic exactly once and in order:

* the catalog topic has one partition, so Kafka keeps the log's order;
* each relayed page is one Kafka transaction, and every message carries its notification id,
  so the last committed message *is* the relay's position: no separate offset to lose;
* on start the relay fences any older instance (`init_transactions` on a fixed
  transactional id), then reads the topic's tail with `read_committed` to find where to go on.

A relay killed at any point resumes from the last committed transaction: an aborted or
unfinished page is never visible to `read_committed` consumers and is sent again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

import orjson
from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from eventsourcing.persistence import ApplicationRecorder, Notification

from eventlens.eventstore.port import CATALOG_STREAM

log = logging.getLogger(__name__)

PAGE = 100
NOTIFICATION_HEADER = "notification_id"


def encode_notification(notification: Notification) -> bytes:
    return orjson.dumps(
        {
            "notification_id": notification.id,
            "originator_id": str(notification.originator_id),
            "originator_version": notification.originator_version,
            "topic": notification.topic,
            "state": orjson.loads(notification.state),
        }
    )


class CatalogRelay:
    def __init__(
        self,
        recorder: ApplicationRecorder,
        bootstrap: str,
        topic: str = CATALOG_STREAM,
        transactional_id: str = "eventlens-catalog-relay",
    ) -> None:
        self._recorder = recorder
        self._bootstrap = bootstrap
        self._topic = topic
        self._producer = Producer(
            {
                "bootstrap.servers": bootstrap,
                "transactional.id": transactional_id,
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
            }
        )
        self._ready = False
        self.last_relayed = 0

    def start(self, timeout: float = 60.0) -> None:
        self._producer.init_transactions(timeout)
        self.last_relayed = last_relayed_notification(self._bootstrap, self._topic)
        self._ready = True
        log.info("catalog relay resumes after notification %s", self.last_relayed)

    def relay_once(self) -> int:
        """Relay one page of notifications; returns how many were relayed."""
        assert self._ready, "start() first"
        notifications: Sequence[Notification] = self._recorder.select_notifications(
            start=self.last_relayed, limit=PAGE, inclusive_of_start=False
        )
        if not notifications:
            return 0
        self._producer.begin_transaction()
        try:
            for notification in notifications:
                self._producer.produce(
                    self._topic,
                    key=str(notification.originator_id).encode(),
                    value=encode_notification(notification),
                    headers={NOTIFICATION_HEADER: str(notification.id).encode()},
                )
            self._producer.commit_transaction(30)
        except Exception:
            self._producer.abort_transaction(30)
            raise
        self.last_relayed = notifications[-1].id
        return len(notifications)

    def run(self, stop: threading.Event, interval: float = 0.2) -> None:
        self.start()
        while not stop.is_set():
            if self.relay_once() == 0:
                stop.wait(interval)

    def close(self) -> None:
        self._producer.flush(10)


def last_relayed_notification(bootstrap: str, topic: str, timeout: float = 30.0) -> int:
    """The notification id in the last committed message of the catalog topic (0 if none)."""
    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"eventlens-relay-probe-{uuid4()}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    try:
        low, high = _watermarks(consumer, TopicPartition(topic, 0), timeout)
        if high <= low:
            return 0
        window = PAGE * 2 + 10
        start = max(low, high - window)
        while True:
            last = _last_id_from(consumer, topic, start, timeout)
            if last is not None or start == low:
                return last or 0
            start = max(low, start - window)  # aborted transactions filled the window
    finally:
        consumer.close()


# What a broker answers for a topic it has just created, until its partitions have a leader.
LEADERLESS = frozenset(
    {
        KafkaError.NOT_LEADER_FOR_PARTITION,
        KafkaError.LEADER_NOT_AVAILABLE,
        KafkaError.UNKNOWN_TOPIC_OR_PART,
    }
)


def _watermarks(consumer: Any, partition: TopicPartition, timeout: float) -> tuple[int, int]:
    """The partition's offsets; asked again while a topic just made has no leader yet."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            low, high = consumer.get_watermark_offsets(partition, timeout=timeout, cached=False)
            return int(low), int(high)
        except KafkaException as problem:
            error = problem.args[0]
            settling = error.retriable() or error.code() in LEADERLESS
            if not settling or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _last_id_from(consumer: Any, topic: str, start: int, timeout: float) -> int | None:
    consumer.assign([TopicPartition(topic, 0, start)])
    last: int | None = None
    while True:
        message = consumer.poll(timeout)
        if message is None:
            raise TimeoutError(f"reading the tail of {topic} timed out")
        error = message.error()
        if error is not None:
            if error.code() == KafkaError._PARTITION_EOF:
                return last
            raise RuntimeError(f"reading {topic} failed: {error}")
        for name, value in message.headers() or []:
            if name == NOTIFICATION_HEADER:
                last = int(value)
