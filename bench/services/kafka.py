"""A single-node Apache Kafka broker (scripts/kafka-broker) on 127.0.0.1.

Once started, the broker is warmed up with a produce and fetch load before any system uses
it. A JVM compiles its hot paths only after running them for a while: measured on this
machine, a fresh broker answering single-event produce requests from 8 producers used 1.05
cores in its first 10 s, 0.93 in the next 10 s and 0.34-0.36 from the 30th second on, for
the same rate. Without the warm-up, whichever system used the broker first (EventLens in
Kafka mode) paid for the JIT, and the seed design, measured later, did not.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from bench.core import ROOT, BenchmarkFailure, RunContext
from bench.procs import free_port
from bench.procstats import cpu_seconds
from eventlens.eventstore.kafka import PRODUCER_DEFAULTS

SCRIPT = ROOT / "scripts" / "kafka-broker"


@dataclass(frozen=True)
class KafkaBroker:
    bootstrap: str
    data_dir: Path

    def pids(self) -> list[int]:
        try:
            return [int((self.data_dir / "broker.pid").read_text().strip())]
        except (OSError, ValueError):
            return []

    def create_topic(self, name: str, partitions: int) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        for future in admin.create_topics(
            [NewTopic(name, num_partitions=partitions, replication_factor=1)]
        ).values():
            future.result()

    def message_count(self, topic: str) -> int:
        """Messages held by `topic` (sum over partitions of high minus low watermark)."""
        return sum(high - low for _, low, high in self.watermarks(topic))

    def watermarks(self, topic: str) -> list[tuple[int, int, int]]:
        """(partition, low, high) for every partition of `topic`; empty if it does not exist."""
        consumer = Consumer(
            {"bootstrap.servers": self.bootstrap, "group.id": "eventlens-bench-inspector"}
        )
        try:
            metadata = consumer.list_topics(topic, timeout=10)
            info = metadata.topics.get(topic)
            if info is None or info.error is not None:
                return []
            result = []
            for partition in sorted(info.partitions):
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=10, cached=False
                )
                result.append((partition, low, high))
            return result
        finally:
            consumer.close()

    def last_messages(self, topic: str, timeout: float = 15.0) -> dict[int, bytes]:
        """The value of the newest message of every non-empty partition of `topic`."""
        wanted = {p: high - 1 for p, low, high in self.watermarks(topic) if high > low}
        found: dict[int, bytes] = {}
        if not wanted:
            return found
        consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": "eventlens-bench-inspector",
                "enable.auto.commit": False,
            }
        )
        try:
            consumer.assign([TopicPartition(topic, p, offset) for p, offset in wanted.items()])
            deadline = time.monotonic() + timeout
            while len(found) < len(wanted) and time.monotonic() < deadline:
                message = consumer.poll(0.5)
                if message is None or message.error() is not None:
                    continue
                partition, value = message.partition(), message.value()
                newest = partition is not None and message.offset() == wanted.get(partition)
                if newest and partition is not None and value is not None:
                    found[partition] = value
        finally:
            consumer.close()
        if len(found) < len(wanted):
            raise BenchmarkFailure(f"could not read the newest messages of {topic}")
        return found


@contextlib.contextmanager
def kafka_broker(ctx: RunContext) -> Iterator[KafkaBroker]:
    data_dir = ctx.scratch("kafka")
    started = subprocess.run(
        [
            str(SCRIPT),
            "start",
            "--port",
            str(free_port()),
            "--controller-port",
            str(free_port()),
            "--dir",
            str(data_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    try:
        if started.returncode != 0:
            raise BenchmarkFailure(f"the Kafka broker did not start:\n{started.stderr[-3000:]}")
        broker = KafkaBroker(started.stdout.strip().splitlines()[-1], data_dir)
        warm_up(broker, ctx.profile.kafka_warmup_s)
        yield broker
    finally:
        subprocess.run([str(SCRIPT), "stop", "--dir", str(data_dir)], check=False, timeout=180)


WARMUP_IN_FLIGHT = 16  # single-message produce requests awaiting their acknowledgement
WARMUP_BODY = b'{"event_type": "page_view", "properties": {"page_path": "/warm-up"}}' * 6


def warm_up(broker: KafkaBroker, seconds: float) -> None:
    """Produce small messages one request at a time, with the store's producer settings, and
    fetch them as the projection consumers do, for `seconds`."""
    if seconds <= 0:
        return
    topic = f"bench-warm-up-{uuid.uuid4().hex[:8]}"
    broker.create_topic(topic, 6)
    producer = Producer({**PRODUCER_DEFAULTS, "bootstrap.servers": broker.bootstrap})
    stop = threading.Event()
    fetched = [0]
    reader = threading.Thread(target=_fetch_until, args=(broker, topic, stop, fetched))
    reader.start()
    in_flight = [0]
    failures: list[str] = []

    def delivered(error: object, _message: object) -> None:
        in_flight[0] -= 1
        if error is not None:
            failures.append(str(error))

    sent = 0
    cpu_before, started = cpu_seconds(broker.pids()), time.monotonic()
    try:
        while time.monotonic() - started < seconds:
            while in_flight[0] >= WARMUP_IN_FLIGHT:
                producer.poll(0.001)
            producer.produce(topic, WARMUP_BODY, key=str(sent).encode(), on_delivery=delivered)
            in_flight[0] += 1
            sent += 1
        if producer.flush(30):
            failures.append("messages still unacknowledged after 30 s")
    finally:
        stop.set()
        reader.join(30)
    elapsed = time.monotonic() - started
    if failures:
        raise BenchmarkFailure(f"the broker's warm-up failed: {failures[0]}")
    print(
        f"[kafka] broker warmed up: {sent:,} messages in {elapsed:.0f} s, one a request, "
        f"{fetched[0]:,} fetched back; broker "
        f"{(cpu_seconds(broker.pids()) - cpu_before) / elapsed:.2f}"
        " cores",
        flush=True,
    )


def _fetch_until(broker: KafkaBroker, topic: str, stop: threading.Event, got: list[int]) -> None:
    consumer = Consumer(
        {
            "bootstrap.servers": broker.bootstrap,
            "group.id": f"{topic}-reader",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "fetch.wait.max.ms": 20,  # as the projection consumers fetch
            "fetch.min.bytes": 65536,
        }
    )
    try:
        consumer.subscribe([topic])
        while not stop.is_set():
            got[0] += len(consumer.consume(1000, 0.2))
    finally:
        consumer.close()
