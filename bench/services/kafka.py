"""A single-node Apache Kafka broker (scripts/kafka-broker) on 127.0.0.1."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from bench.core import ROOT, BenchmarkFailure, RunContext
from bench.procs import free_port

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
        yield KafkaBroker(started.stdout.strip().splitlines()[-1], data_dir)
    finally:
        subprocess.run([str(SCRIPT), "stop", "--dir", str(data_dir)], check=False, timeout=180)
