"""How far each projection is behind the head of the event store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import psycopg

from eventlens.eventstore.port import CATALOG_STREAM
from eventlens.eventstore.postgres_schema import LOG_TABLE


@dataclass(frozen=True)
class Lag:
    projection: str
    events_behind: int
    seconds_behind: float
    last_applied_at: datetime | None


class HeadProbe(Protocol):
    def heads(self, streams: tuple[str, ...]) -> dict[str, int]:
        """Next position per source at the head of the store, for these streams."""

    def oldest_unapplied(self, stored: dict[str, int], streams: tuple[str, ...]) -> datetime | None:
        """When the oldest event not yet applied was recorded (None if unknown or none)."""

    def totals(self, streams: tuple[str, ...]) -> int:
        """How many events these streams hold (a replay's total)."""


class PostgresHeads:
    def __init__(self, conninfo: str, catalog_table: str) -> None:
        self._conninfo = conninfo
        self._catalog_table = catalog_table

    def heads(self, streams: tuple[str, ...]) -> dict[str, int]:
        heads: dict[str, int] = {}
        log_streams = [s for s in streams if s != CATALOG_STREAM]
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            if CATALOG_STREAM in streams:
                row = conn.execute(
                    f"SELECT coalesce(max(notification_id), 0) FROM {self._catalog_table}"  # noqa: S608
                ).fetchone()
                heads["catalog"] = (row[0] if row else 0) + 1
            if log_streams:
                row = conn.execute(
                    f"SELECT coalesce(max(position), 0) FROM {LOG_TABLE} WHERE stream = ANY(%s)",  # noqa: S608
                    (log_streams,),
                ).fetchone()
                heads["log"] = (row[0] if row else 0) + 1
        return heads

    def totals(self, streams: tuple[str, ...]) -> int:
        total = 0
        log_streams = [s for s in streams if s != CATALOG_STREAM]
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            if CATALOG_STREAM in streams:
                row = conn.execute(f"SELECT count(*) FROM {self._catalog_table}").fetchone()  # noqa: S608
                total += int(row[0]) if row else 0
            if log_streams:
                row = conn.execute(
                    f"SELECT count(*) FROM {LOG_TABLE} WHERE stream = ANY(%s)",  # noqa: S608
                    (log_streams,),
                ).fetchone()
                total += int(row[0]) if row else 0
        return total

    def oldest_unapplied(self, stored: dict[str, int], streams: tuple[str, ...]) -> datetime | None:
        log_streams = [s for s in streams if s != CATALOG_STREAM]
        if not log_streams:
            return None
        with psycopg.connect(self._conninfo, autocommit=True) as conn:
            row = conn.execute(
                f"SELECT recorded_at FROM {LOG_TABLE} WHERE position >= %s AND stream = ANY(%s) "  # noqa: S608
                "ORDER BY position LIMIT 1",
                (stored.get("log", 1), log_streams),
            ).fetchone()
        return row[0] if row else None


class KafkaHeads:
    def __init__(self, bootstrap: str, prefix: str) -> None:
        from confluent_kafka import Consumer

        self._prefix = prefix
        self._consumer: Any = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": "eventlens-lag-probe"}
        )

    def heads(self, streams: tuple[str, ...]) -> dict[str, int]:
        from confluent_kafka import TopicPartition

        heads: dict[str, int] = {}
        metadata = self._consumer.list_topics(timeout=5)
        for stream in streams:
            topic = self._prefix + stream
            for partition in (
                metadata.topics.get(topic, None).partitions if topic in metadata.topics else []
            ):
                _low, high = self._consumer.get_watermark_offsets(
                    TopicPartition(topic, partition), timeout=5, cached=False
                )
                heads[f"{topic}/{partition}"] = high
        return heads

    def oldest_unapplied(self, stored: dict[str, int], streams: tuple[str, ...]) -> datetime | None:
        return None

    def totals(self, streams: tuple[str, ...]) -> int:
        from confluent_kafka import TopicPartition

        total = 0
        metadata = self._consumer.list_topics(timeout=5)
        for stream in streams:
            topic = metadata.topics.get(self._prefix + stream)
            for partition in topic.partitions if topic is not None else []:
                low, high = self._consumer.get_watermark_offsets(
                    TopicPartition(self._prefix + stream, partition), timeout=5, cached=False
                )
                total += high - low
        return total


@dataclass(frozen=True)
class Applied:
    """Where a projection has got to: its stored positions, and when it last saved them."""

    projection: str
    stored: dict[str, int]
    last_applied_at: datetime | None


def applied(conn: psycopg.Connection, projection: str) -> Applied:
    rows = conn.execute(
        "SELECT source, position, updated_at FROM projection_positions WHERE projection = %s",
        (projection,),
    ).fetchall()
    stored = {source: position for source, position, _ in rows}
    return Applied(projection, stored, max((updated for _, _, updated in rows), default=None))


def measure(
    conn: psycopg.Connection, probe: HeadProbe, projection: str, streams: tuple[str, ...]
) -> Lag:
    return lag_of(applied(conn, projection), probe, streams)


def lag_of(done: Applied, probe: HeadProbe, streams: tuple[str, ...]) -> Lag:
    """The lag of a projection that got to `done`, against the store's heads now."""
    projection, stored, last = done.projection, done.stored, done.last_applied_at
    heads = probe.heads(streams)
    # Transaction markers and skipped duplicates make this an upper bound in Kafka mode.
    behind = sum(
        max(0, head - stored.get(source, 0 if "/" in source else 1))
        for source, head in heads.items()
    )
    seconds = 0.0
    if behind:
        oldest = probe.oldest_unapplied(stored, streams)
        reference = oldest or last
        if reference is not None:
            seconds = max(0.0, (datetime.now(UTC) - reference).total_seconds())
    return Lag(projection, behind, seconds, last)
