"""Kafka down (Kafka mode): ingest answers 503 with Retry-After within a bounded time, never
hangs; when the broker returns, ingest recovers by itself, and a client that sends again with
its events' ids ends with every event stored exactly once, in the topic and in `event_logs`.
The broker is the test's own, stopped and started again on the same port and data directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.outages import (
    RetryingClient,
    assert_refused_in_bounded_time,
    kafka_store_counts,
    wait_for_event_logs,
)
from tests.e2e.platform import running_on
from tests.services import RestartableKafka

pytestmark = [pytest.mark.postgres, pytest.mark.kafka]


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RestartableKafka]:
    broker = RestartableKafka(tmp_path).start()
    try:
        yield broker
    finally:
        broker.stop()


def test_while_the_broker_is_down_ingest_refuses_in_bounded_time_and_recovers_by_itself(
    tmp_path: Path, postgres_server: str, broker: RestartableKafka, topic_prefix: str
) -> None:
    with running_on(
        postgres_server,
        tmp_path / "data",
        EVENTLENS_KAFKA_BOOTSTRAP=broker.bootstrap,
        EVENTLENS_KAFKA_TOPIC_PREFIX=topic_prefix,
        EVENTLENS_KAFKA_PARTITIONS="3",
        EVENTLENS_INGEST_RATE_LIMIT="0",
    ) as platform:
        client = RetryingClient(platform, platform.setup_seed_site())
        # Given events accepted while the broker runs
        assert {a.status for a in client.new_events(10)} == {202}

        # When the broker stops, new events are refused with 503 and Retry-After, in time
        broker.stop()
        assert_refused_in_bounded_time(client.new_events(5))
        assert_refused_in_bounded_time(client.retry_waiting())

        # Then, once it is back, the client's retries are accepted without a restart of
        # EventLens, and new events are too
        broker.start()
        client.retry_until_accepted()
        assert {a.status for a in client.new_events(10)} == {202}

        # And every event is stored exactly once: in the topic and in event_logs
        assert len(client.accepted) == 25
        in_topic = kafka_store_counts(broker.bootstrap, topic_prefix + "analytics.events")
        assert {in_topic[event_id] for event_id in client.accepted} == {1}
        database_url = platform.env["EVENTLENS_DATABASE_URL"]
        projected = wait_for_event_logs(database_url, client.accepted)
        assert {projected[event_id] for event_id in client.accepted} == {1}
        assert sum(projected.values()) == 25
