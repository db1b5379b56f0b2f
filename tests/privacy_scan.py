"""Scans for personal data left in plaintext: every column of every table in every schema of
a database, and every raw message (key, value, headers) of the events' Kafka topics."""

from __future__ import annotations

import time
from uuid import uuid4

import psycopg
from confluent_kafka import Consumer, TopicPartition
from psycopg import sql

from eventlens.eventstore.port import REJECTED_STREAM, TRACKED_STREAM


def places_holding(database_url: str, *needles: str) -> list[str]:
    """Every column of every table, in every schema, that holds one of the needles."""
    found = []
    with psycopg.connect(database_url, autocommit=True) as conn:
        columns = conn.execute(
            "SELECT c.table_schema, c.table_name, c.column_name, c.data_type "
            "FROM information_schema.columns c JOIN information_schema.tables t "
            "USING (table_schema, table_name) "
            "WHERE t.table_type = 'BASE TABLE' "
            "AND c.table_schema NOT IN ('pg_catalog', 'information_schema') "
            "AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'bytea', 'ARRAY')"
        ).fetchall()
        for schema, table, column, kind in columns:
            target = sql.Identifier(schema, table)
            field = sql.Identifier(column)
            for needle in needles:
                test = (
                    sql.SQL("position(convert_to({}, 'UTF8') in {}) > 0").format(
                        sql.Literal(needle), field
                    )
                    if kind == "bytea"
                    else sql.SQL("{}::text LIKE {}").format(field, sql.Literal(f"%{needle}%"))
                )
                query = sql.SQL("SELECT count(*) FROM {} WHERE {}").format(target, test)
                row = conn.execute(query).fetchone()
                if row and row[0]:
                    found.append(f"{schema}.{table}.{column}: {needle}")
    return found


def kafka_messages_holding(bootstrap: str, prefix: str, *needles: str) -> list[str]:
    """The raw messages (keys, values, headers) of the events' topics holding a needle."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"scan-{uuid4()}"})
    found = []
    try:
        for stream in (TRACKED_STREAM, REJECTED_STREAM):
            topic = prefix + stream
            partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
            for partition in partitions:
                low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition))
                consumer.assign([TopicPartition(topic, partition, low)])
                read = low
                deadline = time.monotonic() + 20
                while read < high and time.monotonic() < deadline:
                    message = consumer.poll(0.5)
                    if message is None or message.error() is not None:
                        continue
                    read = message.offset() + 1
                    raw = b"".join(
                        [message.key() or b"", message.value() or b""]
                        + [value or b"" for _, value in message.headers() or []]
                    )
                    found += [f"{topic}: {n}" for n in needles if n.encode() in raw]
    finally:
        consumer.close()
    return found
