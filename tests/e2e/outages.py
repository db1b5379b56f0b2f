"""What the outage tests share: a client that retries with its events' ids, as a tracker or an
SDK should, and counts of what was stored, by event id."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import psycopg

from tests.e2e.platform import RunningPlatform, snippet_body

# What "bounded" means for an answer during an outage (the issue: at most 2-3 s, never a hang).
ANSWER_BOUND = 3.5  # seconds, the client's round trip included


@dataclass
class Attempt:
    status: int  # 0: no answer (the connection failed)
    seconds: float
    retry_after: str | None


@dataclass
class RetryingClient:
    """Sends each event with an id of its own, and sends it again (the same id) until it is
    answered 202."""

    platform: RunningPlatform
    container_id: str
    accepted: list[str] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # not yet answered 202
    attempts: list[Attempt] = field(default_factory=list)

    def new_events(self, count: int) -> list[Attempt]:
        """Send `count` new events once each; what each was answered."""
        ids = [str(uuid.uuid4()) for _ in range(count)]
        self.waiting += ids
        return [self._send(event_id) for event_id in ids]

    def retry_waiting(self) -> list[Attempt]:
        return [self._send(event_id) for event_id in list(self.waiting)]

    def retry_until_accepted(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while self.waiting:
            assert time.monotonic() < deadline, f"{len(self.waiting)} events never accepted"
            for attempt in self.retry_waiting():
                if attempt.status != 202:
                    assert attempt.status == 503, attempt
                    time.sleep(float(attempt.retry_after or 1) / 4)

    def _send(self, event_id: str) -> Attempt:
        started = time.monotonic()
        try:
            response = self.platform.client.post(
                "/api/events/ingest",
                json=snippet_body(self.container_id, event_id=event_id),
                timeout=30,
            )
        except httpx.TransportError:
            attempt = Attempt(0, time.monotonic() - started, None)
        else:
            attempt = Attempt(
                response.status_code,
                time.monotonic() - started,
                response.headers.get("retry-after"),
            )
            if response.status_code == 202:
                assert response.json()["event_id"] == event_id
                self.waiting.remove(event_id)
                self.accepted.append(event_id)
            else:
                assert response.status_code == 503, response.text
        self.attempts.append(attempt)
        return attempt


def assert_refused_in_bounded_time(attempts: list[Attempt]) -> None:
    """Each answered 503 with Retry-After, within the bound."""
    for attempt in attempts:
        assert attempt.status == 503, attempt
        assert attempt.retry_after is not None and int(attempt.retry_after) >= 1, attempt
        assert attempt.seconds < ANSWER_BOUND, attempt


def event_log_counts(database_url: str) -> Counter[str]:
    """How many times `event_logs` holds each event id."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT event_id::text FROM event_logs").fetchall()
    return Counter(row[0] for row in rows)


def wait_for_event_logs(database_url: str, ids: list[str], timeout: float = 90) -> Counter[str]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            counts = event_log_counts(database_url)
        except psycopg.OperationalError:
            counts = Counter()
        if all(counts[i] for i in ids) or time.monotonic() > deadline:
            return counts
        time.sleep(0.2)


def postgres_store_counts(database_url: str) -> Counter[str]:
    """How many times the PostgreSQL event store's log holds each tracked event id."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT event_id::text FROM eventstore_log WHERE stream = 'analytics.events'"
        ).fetchall()
    return Counter(row[0] for row in rows)


def kafka_store_counts(bootstrap: str, topic: str) -> Counter[str]:
    """How many times the tracked-events topic holds each event id (read to its end)."""
    from confluent_kafka import Consumer, KafkaError

    consumer = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"outage-test-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    counts: Counter[str] = Counter()
    try:
        metadata = consumer.list_topics(topic, timeout=30)
        partitions = len(metadata.topics[topic].partitions)
        consumer.subscribe([topic])
        ended: set[int] = set()
        deadline = time.monotonic() + 60
        while len(ended) < partitions and time.monotonic() < deadline:
            message: Any = consumer.poll(1.0)
            if message is None:
                continue
            if message.error() is not None:
                assert message.error().code() == KafkaError._PARTITION_EOF, message.error()
                ended.add(message.partition())
                continue
            counts[orjson.loads(message.value())["event_id"]] += 1
        assert len(ended) == partitions, "the topic was not read to its end"
    finally:
        consumer.close()
    return counts
