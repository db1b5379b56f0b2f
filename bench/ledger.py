"""Per-event verification: every event id a load generator saw acknowledged is looked for, and
must be found exactly once in the event store and once in `event_logs`.

The load generator (`bench.loadgen.paced --ledger FILE`) writes the id of every acknowledged
event to FILE and of every event sent without an acknowledgement (an error, or in flight when
it stopped) to FILE.unacknowledged. Both lists are copied into temporary tables of the read
models' database, and so is, in Kafka mode, every event id read from the tracked topic itself
(from its first offset to its high watermark, every partition). Then, per place:
- missing: acknowledged ids found zero times; duplicated: ids found more than once;
- strays: ids of the run's tag (or tags: a ledger several runs appended to) found there that
  the generator never sent (neither list).
An unacknowledged event may be stored or not (the client cannot tell), but at most once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import psycopg
from confluent_kafka import Consumer, TopicPartition

from bench.core import BenchmarkFailure
from bench.events import tag_range
from bench.services.kafka import KafkaBroker
from eventlens.eventstore.port import TRACKED_STREAM


@dataclass
class PlaceCheck:
    place: str
    found: int = 0
    missing: int = 0
    duplicated: int = 0
    strays: int = 0

    @property
    def ok(self) -> bool:
        return not (self.missing or self.duplicated or self.strays)


@dataclass
class LedgerCheck:
    acknowledged: int
    unacknowledged: int
    places: list[PlaceCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(place.ok for place in self.places)

    def summary(self) -> str:
        parts = [
            f"{p.place}: {p.found:,} found, {p.missing} missing, {p.duplicated} duplicated, "
            f"{p.strays} not sent"
            for p in self.places
        ]
        return (
            f"{self.acknowledged:,} acknowledged ids ({self.unacknowledged} unacknowledged); "
            + "; ".join(parts)
        )


def _ids(path: Path) -> Iterator[str]:
    if path.exists():
        with path.open() as lines:
            for line in lines:
                if line := line.strip():
                    yield line


def _copy(conn: psycopg.Connection, table: str, ids: Iterator[str]) -> int:
    conn.execute(f"CREATE TEMP TABLE {table} (event_id uuid NOT NULL)")
    count = 0
    with conn.cursor().copy(f"COPY {table} (event_id) FROM STDIN") as copy:
        for event_id in ids:
            copy.write_row((event_id,))
            count += 1
    conn.execute(f"CREATE INDEX ON {table} (event_id)")
    conn.execute(f"ANALYZE {table}")
    return count


def topic_event_ids(
    broker: KafkaBroker,
    topic: str,
    timeout: float = 300.0,
    since: Mapping[int, int] | None = None,
) -> Iterator[str]:
    """Every event id in `topic`, one per message (a message written twice gives its id
    twice), read from each partition's low (or its offset in `since`) to its high watermark."""
    since = since or {}
    wanted = {
        p: (max(low, since.get(p, low)), high)
        for p, low, high in broker.watermarks(topic)
        if high > max(low, since.get(p, low))
    }
    if not wanted:
        return
    consumer = Consumer(
        {
            "bootstrap.servers": broker.bootstrap,
            "group.id": "eventlens-bench-ledger",
            "enable.auto.commit": False,
        }
    )
    try:
        consumer.assign([TopicPartition(topic, p, low) for p, (low, _) in wanted.items()])
        remaining = {p: high for p, (_, high) in wanted.items()}
        deadline = time.monotonic() + timeout
        while remaining:
            if time.monotonic() > deadline:
                raise BenchmarkFailure(f"reading {topic} did not reach its end in {timeout:.0f}s")
            for message in consumer.consume(10_000, 1.0):
                if message.error() is not None:
                    continue
                partition, offset, value = message.partition(), message.offset(), message.value()
                if partition not in remaining or offset is None or value is None:
                    continue
                if offset >= remaining[partition]:
                    continue
                yield str(orjson.loads(value)["event_id"])
                if offset + 1 >= remaining[partition]:
                    del remaining[partition]
    finally:
        consumer.close()


def _in_tags(column: str, tags: Sequence[str]) -> str:
    """A condition on `column`: in one of the tags' ranges (written in: tags are 8 hex digits)."""
    if bad := [tag for tag in tags if not re.fullmatch("[0-9a-f]{8}", tag)]:
        raise ValueError(f"not a run's tag (8 hex digits): {bad[0]!r}")
    ranges = [tag_range(tag) for tag in tags]
    return "(" + " OR ".join(f"{column} BETWEEN '{low}' AND '{high}'" for low, high in ranges) + ")"


def _check(conn: psycopg.Connection, place: str, source: str, tags: Sequence[str]) -> PlaceCheck:
    """`source`: a query of (event_id) rows, the place's events (duplicates kept)."""
    counted = f"SELECT event_id, count(*) AS n FROM ({source}) s GROUP BY event_id"
    row = conn.execute(
        f"""
        WITH found AS ({counted})
        SELECT
          (SELECT count(*) FROM ledger_acked a JOIN found f USING (event_id)),
          (SELECT count(*) FROM ledger_acked a
             WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.event_id = a.event_id)),
          (SELECT count(*) FROM found f WHERE f.n > 1),
          (SELECT count(*) FROM found f
             WHERE {_in_tags("f.event_id", tags)}
               AND NOT EXISTS (SELECT 1 FROM ledger_acked a WHERE a.event_id = f.event_id)
               AND NOT EXISTS (SELECT 1 FROM ledger_unacked u WHERE u.event_id = f.event_id))
        """
    ).fetchone()
    assert row is not None
    return PlaceCheck(place, int(row[0]), int(row[1]), int(row[2]), int(row[3]))


def check_ledger(
    database_url: str,
    ledger: Path,
    tag: str | Sequence[str],
    kafka: tuple[KafkaBroker, str] | None = None,
    since: Mapping[int, int] | None = None,
) -> LedgerCheck:
    """Look every id of `ledger` up in the store (PostgreSQL's log, or the Kafka topic named in
    `kafka`) and in `event_logs`; the caller waits for the projections first. `tag`: the tag of
    every run whose ids the ledger holds. `since`: the topic's offsets (by partition) before
    those runs began, where its reading may start (a new tag's ids cannot come before)."""
    tags = [tag] if isinstance(tag, str) else list(tag)
    with psycopg.connect(database_url, autocommit=True) as conn:
        acked = _copy(conn, "ledger_acked", _ids(ledger))
        unacked = _copy(conn, "ledger_unacked", _ids(Path(f"{ledger}.unacknowledged")))
        result = LedgerCheck(acked, unacked)
        in_tag = _in_tags("event_id", tags)
        if kafka is None:
            stream = f"stream = '{TRACKED_STREAM}'"
            store = f"SELECT event_id FROM eventstore_log WHERE {stream} AND {in_tag}"
            result.places.append(_check(conn, "event store (eventstore_log)", store, tags))
        else:
            broker, topic = kafka
            _copy(conn, "ledger_topic", topic_event_ids(broker, topic, since=since))
            result.places.append(
                _check(
                    conn, f"event store (topic {topic})", "SELECT event_id FROM ledger_topic", tags
                )
            )
        logs = f"SELECT event_id FROM event_logs WHERE {in_tag}"
        result.places.append(_check(conn, "event_logs", logs, tags))
    return result
