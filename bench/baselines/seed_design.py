"""The seed's own design, written faithfully from its README.

`POST /api/events/ingest` is a FastAPI endpoint with a pydantic body. Inside the request it
checks the event type against the schema, INSERTs the event into the master log `event_logs`
and into the per-schema table `events_portfolio_events`, commits, then publishes the event to
the Kafka topic `analytics.events` and waits for the delivery report (the seed's
`kafka_producer`), and only then answers.

Where the README leaves a choice open, the faster option is taken, so that ratios against this
baseline are conservative: the schema is checked in memory (no query per request), and the
database is reached through psycopg's async pool sized like SQLAlchemy's default pool
(5 connections + 10 overflow) with plain INSERTs instead of ORM objects.

Configured by environment: SEED_DATABASE_URL, SEED_KAFKA_BOOTSTRAP, SEED_KAFKA_TOPIC.
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
    """The seed's kafka_producer: send one event and wait for the broker's delivery report."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.topic = topic
        self.producer = Producer({"bootstrap.servers": bootstrap})
        self.stopping = threading.Event()
        self.poller = threading.Thread(target=self._poll, name="kafka-poll", daemon=True)
        self.poller.start()

    def _poll(self) -> None:
        while not self.stopping.is_set():
            self.producer.poll(0.05)

    async def publish(self, key: str | None, event: dict[str, Any]) -> None:
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

    def close(self) -> None:
        self.stopping.set()
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
    publisher = KafkaPublisher(os.environ["SEED_KAFKA_BOOTSTRAP"], os.environ["SEED_KAFKA_TOPIC"])
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
