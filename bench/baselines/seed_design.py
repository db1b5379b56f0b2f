"""The seed's own design, written from its README as it reads.

`POST /api/events/ingest` is a FastAPI endpoint with a pydantic body. Inside the request it
checks the event type against the schema, INSERTs the event into the master log `event_logs`
and into the per-schema table `events_portfolio_events`, commits, then publishes the event to
the Kafka topic `analytics.events` and answers. The README says only that the event "is sent
to Kafka", so by default the endpoint hands the message to the producer (`produce`, then
`poll(0)` to serve delivery reports) and answers without waiting for the broker's delivery
report. With SEED_AWAIT_DELIVERY=1 it waits for that report before answering (the strict
variant, reported beside it under its own name). Both use EventLens's own producer settings
(`PRODUCER_DEFAULTS`: idempotent, acks=all, linger 0.5 ms, lz4), so the producer's
configuration is not what the comparison measures.

Where the README leaves a choice open, the faster option is taken, so that ratios against this
baseline are conservative: the schema is checked in memory (no query per request), and the
database is reached through psycopg's async pool sized like SQLAlchemy's default pool
(5 connections + 10 overflow) with plain INSERTs, where the README names SQLAlchemy's async ORM
(objects per row would cost more).

Configured by environment: SEED_DATABASE_URL, SEED_KAFKA_BOOTSTRAP, SEED_KAFKA_TOPIC,
SEED_AWAIT_DELIVERY.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from confluent_kafka import KafkaError, Producer
from fastapi import FastAPI, HTTPException
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool

from bench.baselines.counting import INGEST_PATH
from bench.baselines.models import EventIngest
from eventlens.eventstore.kafka import PRODUCER_DEFAULTS

SCHEMA = "portfolio_events"
EVENT_TYPES = {
    "page_view",
    "github_project_click",
    "linkedin_profile_click",
    "email_link_click",
    "navigation_click",
    "external_link_click",
}

DDL = """
CREATE TABLE IF NOT EXISTS event_logs (
    id          bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    schema_id   varchar(100) NOT NULL,
    event_type  varchar(100) NOT NULL,
    user_id     varchar(200),
    session_id  varchar(200),
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    properties  jsonb NOT NULL DEFAULT '{}',
    metadata    jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS event_logs_schema_time ON event_logs (schema_id, "timestamp" DESC);
CREATE INDEX IF NOT EXISTS event_logs_created_at ON event_logs (created_at DESC);
CREATE TABLE IF NOT EXISTS events_portfolio_events (
    id          bigserial PRIMARY KEY,
    event_id    uuid NOT NULL UNIQUE,
    event_type  varchar(100) NOT NULL,
    user_id     varchar(200),
    session_id  varchar(200),
    "timestamp" timestamptz NOT NULL DEFAULT now(),
    properties  jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS events_portfolio_events_time
    ON events_portfolio_events ("timestamp" DESC);
"""

INSERT_LOG = """
INSERT INTO event_logs (event_id, schema_id, event_type, user_id, session_id, "timestamp",
                        properties, metadata)
VALUES (%s, %s, %s, %s, %s, coalesce(%s, now()), %s, %s)
"""
INSERT_SCHEMA_TABLE = """
INSERT INTO events_portfolio_events (event_id, event_type, user_id, session_id, "timestamp",
                                     properties)
VALUES (%s, %s, %s, %s, coalesce(%s, now()), %s)
"""


class KafkaPublisher:
    """The seed's kafka_producer: send one event; with `await_delivery`, wait for the broker's
    delivery report too (a thread polls for reports), otherwise serve the reports due with
    `poll(0)` after each produce (a failed delivery is counted, as nobody waits for it)."""

    def __init__(self, bootstrap: str, topic: str, await_delivery: bool) -> None:
        self.topic = topic
        self.await_delivery = await_delivery
        self.failed = 0
        self.producer = Producer({"bootstrap.servers": bootstrap, **PRODUCER_DEFAULTS})
        self.stopping = threading.Event()
        self.poller = threading.Thread(target=self._poll, name="kafka-poll", daemon=True)
        if await_delivery:
            self.poller.start()

    def _poll(self) -> None:
        while not self.stopping.is_set():
            self.producer.poll(0.05)

    async def publish(self, key: str | None, event: dict[str, Any]) -> None:
        if not self.await_delivery:
            self.producer.produce(
                self.topic,
                value=json.dumps(event, default=str).encode(),
                key=key,
                on_delivery=self._count_failure,
            )
            self.producer.poll(0)
            return
        loop = asyncio.get_running_loop()
        delivered: asyncio.Future[None] = loop.create_future()

        def on_delivery(error: KafkaError | None, _message: object) -> None:
            loop.call_soon_threadsafe(_settle, delivered, error)

        self.producer.produce(
            self.topic,
            value=json.dumps(event, default=str).encode(),
            key=key,
            on_delivery=on_delivery,
        )
        await delivered

    def _count_failure(self, error: KafkaError | None, _message: object) -> None:
        if error is not None:
            self.failed += 1

    def close(self) -> None:
        self.stopping.set()
        if self.poller.is_alive():
            self.poller.join()
        self.producer.flush(10)


def _settle(future: asyncio.Future[None], error: KafkaError | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(RuntimeError(f"Kafka delivery failed: {error}"))


state: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    dsn = os.environ["SEED_DATABASE_URL"]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(DDL)
    pool = AsyncConnectionPool(dsn, min_size=5, max_size=15, open=False)
    await pool.open()
    publisher = KafkaPublisher(
        os.environ["SEED_KAFKA_BOOTSTRAP"],
        os.environ["SEED_KAFKA_TOPIC"],
        os.environ.get("SEED_AWAIT_DELIVERY") == "1",
    )
    state.update(pool=pool, publisher=publisher)
    try:
        yield
    finally:
        publisher.close()
        await pool.close()


app = FastAPI(lifespan=lifespan)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post(INGEST_PATH, status_code=202)
async def ingest(event: EventIngest) -> dict[str, str]:
    if event.schema_id != SCHEMA:
        raise HTTPException(404, f"schema {event.schema_id!r} not found")
    if event.event_type not in EVENT_TYPES:
        raise HTTPException(400, f"event type {event.event_type!r} is not in the schema")
    pool: AsyncConnectionPool = state["pool"]
    async with pool.connection() as conn:  # one transaction, committed on leaving the block
        await conn.execute(
            INSERT_LOG,
            (
                event.event_id,
                event.schema_id,
                event.event_type,
                event.user_id,
                event.session_id,
                event.timestamp,
                Jsonb(event.properties),
                Jsonb(event.metadata),
            ),
        )
        await conn.execute(
            INSERT_SCHEMA_TABLE,
            (
                event.event_id,
                event.event_type,
                event.user_id,
                event.session_id,
                event.timestamp,
                Jsonb(event.properties),
            ),
        )
    publisher: KafkaPublisher = state["publisher"]
    await publisher.publish(event.session_id, event.model_dump(mode="json"))
    return {"status": "success", "event_id": str(event.event_id)}
