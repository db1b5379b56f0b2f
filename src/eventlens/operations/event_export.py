"""The event history as NDJSON: one recorded event a line, the same in both event stores.

A line is `{"stream": ..., "event_id": ..., "partition_key": ..., "payload": {...}}`, where
the payload is the event exactly as the store holds it. Lines come in the store's order: the
log's global order in PostgreSQL, each partition's order in Kafka (a session stays in one
partition, so its events keep their order either way). Appending a file back is idempotent
by event id, per stream, as the store's own appends are.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from uuid import UUID, uuid4

import orjson
import psycopg

from eventlens.eventstore.port import REJECTED_STREAM, TRACKED_STREAM
from eventlens.eventstore.postgres_schema import LOG_TABLE, create_event_store_schema

STREAMS = (TRACKED_STREAM, REJECTED_STREAM)
APPEND_BATCH = 1000
KAFKA_TIMEOUT = 30.0  # seconds


class ExportProblem(Exception):
    """A file or a store that cannot be exported or imported; the message says why."""


@dataclass
class Counts:
    """Events written or appended, per stream; and those skipped as already recorded."""

    streams: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STREAMS, 0))
    skipped: int = 0

    @property
    def total(self) -> int:
        return sum(self.streams.values())


def open_file(path: Path, mode: str) -> IO[bytes]:
    """A `.gz` name is compressed; anything else is plain NDJSON."""
    if path.suffix == ".gz":
        # Level 6: most of level 9's saving at a third of its time.
        return gzip.GzipFile(path, mode + "b", compresslevel=6)  # type: ignore[return-value]
    return path.open(mode + "b")


def _line(stream: str, event_id: str, partition_key: str, payload: bytes) -> bytes:
    return b"".join(
        (
            b'{"stream":',
            orjson.dumps(stream),
            b',"event_id":"',
            event_id.encode(),
            b'","partition_key":',
            orjson.dumps(partition_key),
            b',"payload":',
            payload,
            b"}\n",
        )
    )


# --- writing --------------------------------------------------------------------------------


def export_postgres(conn: psycopg.Connection[Any], out: IO[bytes]) -> Counts:
    """Write the PostgreSQL log, in its global order, as the caller's transaction sees it (a
    backup reads it in the snapshot it reads the catalog in)."""
    counts = Counts()
    with conn.cursor(name=f"eventlens_export_{uuid4().hex}") as cursor:
        cursor.itersize = 5000
        cursor.execute(
            f"SELECT stream, event_id::text, partition_key, payload FROM {LOG_TABLE} "  # noqa: S608
            "WHERE stream = ANY(%s) ORDER BY position",
            (list(STREAMS),),
        )
        for stream, event_id, partition_key, payload in cursor:
            out.write(_line(stream, event_id, partition_key, payload.encode()))
            counts.streams[stream] += 1
    return counts


Heads = dict[tuple[str, int], tuple[int, int]]  # (topic, partition) -> (low, high) offsets


def kafka_heads(bootstrap: str, prefix: str) -> Heads:
    """Each partition's first and next offsets, now: what an export reads up to."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer(_consumer_settings(bootstrap))
    try:
        metadata = consumer.list_topics(timeout=KAFKA_TIMEOUT)
        heads: Heads = {}
        for stream in STREAMS:
            topic = metadata.topics.get(prefix + stream)
            if topic is None or topic.error is not None:
                continue
            for partition in sorted(topic.partitions):
                low, high = consumer.get_watermark_offsets(
                    TopicPartition(prefix + stream, partition), timeout=KAFKA_TIMEOUT
                )
                heads[(prefix + stream, partition)] = (low, high)
        return heads
    finally:
        consumer.close()


def _consumer_settings(bootstrap: str) -> dict[str, Any]:
    return {
        "bootstrap.servers": bootstrap,
        "group.id": f"eventlens-export-{uuid4().hex}",  # assigned, never subscribed
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        "enable.partition.eof": True,
    }


def _read_partitions(bootstrap: str, heads: Heads) -> Iterator[tuple[str, Any]]:
    """Each partition's messages from its low offset up to (not including) its high one."""
    from confluent_kafka import Consumer, KafkaError, TopicPartition

    consumer = Consumer(_consumer_settings(bootstrap))
    try:
        for (topic, partition), (low, high) in sorted(heads.items()):
            if high <= low:
                continue
            consumer.assign([TopicPartition(topic, partition, low)])
            while True:
                # Wait for the first message only: a batch call waits for all it asks for.
                messages = consumer.consume(num_messages=1, timeout=KAFKA_TIMEOUT)
                if not messages:
                    raise ExportProblem(f"{topic}/{partition}: Kafka sent nothing for 30 s")
                messages += consumer.consume(num_messages=999, timeout=0)
                finished = False
                for message in messages:
                    error = message.error()
                    if error is not None:
                        if error.code() == KafkaError._PARTITION_EOF:
                            finished = True
                            break
                        raise ExportProblem(f"{topic}/{partition}: Kafka read failed: {error}")
                    offset = message.offset()
                    if offset is None or offset >= high:
                        finished = True
                        break
                    yield topic, message
                    if offset + 1 >= high:
                        finished = True
                        break
                if finished:
                    break
            consumer.unassign()
    finally:
        consumer.close()


def export_kafka(bootstrap: str, prefix: str, heads: Heads, out: IO[bytes]) -> Counts:
    """Write the topics' events up to `heads` (taken before, e.g. when a backup began)."""
    counts = Counts()
    for topic, message in _read_partitions(bootstrap, heads):
        stream = topic.removeprefix(prefix)
        payload: bytes = message.value()
        event_id = str(orjson.loads(payload)["event_id"])
        key = message.key()
        out.write(_line(stream, event_id, key.decode() if key else "", payload))
        counts.streams[stream] += 1
    return counts


# --- reading --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Event:
    stream: str
    event_id: str
    partition_key: str
    payload: bytes


def read_events(source: IO[bytes]) -> Iterator[Event]:
    """Parse and check each line; an `ExportProblem` names the first bad one."""
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise ExportProblem(f"line {number}: not JSON ({error})") from None
        yield _event(number, data)


def _event(number: int, data: Any) -> Event:
    if not isinstance(data, dict):
        raise ExportProblem(f"line {number}: expected a JSON object")
    stream, event_id = data.get("stream"), data.get("event_id")
    partition_key, payload = data.get("partition_key"), data.get("payload")
    if stream not in STREAMS:
        raise ExportProblem(f"line {number}: stream must be one of {', '.join(STREAMS)}")
    try:
        UUID(str(event_id))
    except ValueError:
        raise ExportProblem(f"line {number}: event_id must be a UUID") from None
    if not isinstance(partition_key, str):
        raise ExportProblem(f"line {number}: partition_key must be a string")
    if not isinstance(payload, dict) or str(payload.get("event_id")) != event_id:
        raise ExportProblem(f"line {number}: payload must be an event with the line's event_id")
    return Event(stream, str(event_id), partition_key, orjson.dumps(payload))


def check_file(path: Path) -> Counts:
    """Read the whole file once, so that a bad line refuses it before anything is appended."""
    counts = Counts()
    try:
        with open_file(path, "r") as source:
            for event in read_events(source):
                counts.streams[event.stream] += 1
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise ExportProblem(f"cannot read {path}: {error}") from None
    return counts


def _batches(events: Iterable[Event], size: int) -> Iterator[list[Event]]:
    batch: list[Event] = []
    for event in events:
        batch.append(event)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


Report = Callable[[int], None]


def import_postgres(database_url: str, source: IO[bytes], report: Report | None = None) -> Counts:
    """Append through the log's own append function, which records an id once per stream."""
    create_event_store_schema(database_url)
    counts = Counts()
    with psycopg.connect(database_url, autocommit=True) as conn:
        for batch in _batches(read_events(source), APPEND_BATCH):
            row = conn.execute(
                f"SELECT {LOG_TABLE}_append(%s, %s::uuid[], %s, %s)",
                (
                    [e.stream for e in batch],
                    [e.event_id for e in batch],
                    [e.partition_key for e in batch],
                    [e.payload.decode() for e in batch],
                ),
            ).fetchone()
            appended = int(row[0]) if row else 0
            counts.skipped += len(batch) - appended
            for event in batch:
                counts.streams[event.stream] += 1
            if report is not None:
                report(counts.total)
    return counts


def recorded_ids(bootstrap: str, prefix: str) -> set[tuple[str, str]]:
    """The (stream, event id) pairs the topics hold now."""
    found: set[tuple[str, str]] = set()
    for topic, message in _read_partitions(bootstrap, kafka_heads(bootstrap, prefix)):
        found.add((topic.removeprefix(prefix), str(orjson.loads(message.value())["event_id"])))
    return found


def import_kafka(
    bootstrap: str,
    prefix: str,
    source: IO[bytes],
    known: set[tuple[str, str]],
    report: Report | None = None,
) -> Counts:
    """Produce each event not in `known` (nor earlier in the file) to its topic, keyed as the
    store keys it, with the store's producer settings; returns once the broker acknowledged
    every one."""
    from confluent_kafka import KafkaError, Producer

    from eventlens.eventstore.kafka import PRODUCER_DEFAULTS

    producer = Producer({"bootstrap.servers": bootstrap, **PRODUCER_DEFAULTS})
    failures: list[str] = []

    def delivered(error: KafkaError | None, _message: object) -> None:
        if error is not None:
            failures.append(str(error))

    counts = Counts()
    for event in read_events(source):
        counts.streams[event.stream] += 1
        if (event.stream, event.event_id) in known:
            counts.skipped += 1
            continue
        known.add((event.stream, event.event_id))
        while True:
            try:
                producer.produce(
                    prefix + event.stream,
                    key=event.partition_key.encode(),
                    value=event.payload,
                    on_delivery=delivered,
                )
                break
            except BufferError:  # the producer's queue is full: let it send
                producer.poll(0.1)
        producer.poll(0)
        if report is not None and counts.total % APPEND_BATCH == 0:
            report(counts.total)
    remaining = producer.flush(KAFKA_TIMEOUT * 4)
    if remaining or failures:
        raise ExportProblem(
            f"Kafka did not acknowledge {remaining + len(failures)} event(s)"
            + (f": {failures[0]}" if failures else "")
            + "; importing the file again appends only those missing"
        )
    if report is not None:
        report(counts.total)
    return counts
