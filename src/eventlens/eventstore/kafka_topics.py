"""Kafka topics of the event store, created with infinite retention."""

from __future__ import annotations

import logging

from confluent_kafka.admin import AdminClient, NewTopic  # type: ignore[attr-defined]

from eventlens.eventstore.port import CATALOG_STREAM, REJECTED_STREAM, TRACKED_STREAM

log = logging.getLogger(__name__)

FOREVER = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}


def topic_layout(partitions: int, prefix: str = "") -> dict[str, int]:
    """Tracked events spread over partitions by session; the catalog keeps one total order.

    `prefix` lets several installations (or test runs) share one cluster.
    """
    return {
        prefix + TRACKED_STREAM: partitions,
        prefix + REJECTED_STREAM: max(1, partitions // 2),
        prefix + CATALOG_STREAM: 1,
    }


def ensure_topics(
    bootstrap: str, partitions: int, replication: int = 1, prefix: str = "", timeout: float = 30.0
) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    existing = set(admin.list_topics(timeout=timeout).topics)
    wanted = [
        NewTopic(name, num_partitions=count, replication_factor=replication, config=FOREVER)
        for name, count in topic_layout(partitions, prefix).items()
        if name not in existing
    ]
    if not wanted:
        return
    for name, future in admin.create_topics(wanted, request_timeout=timeout).items():
        try:
            future.result()
            log.info("created topic %s", name)
        except Exception as error:
            # Another process may have created it between our list and create.
            if "TOPIC_ALREADY_EXISTS" not in str(error):
                raise
