"""Retention in Kafka mode: a topic's retention is one for all its sites, so the tracked and
rejected topics keep events as long as the longest period any site has (forever while any
site has none). Each site's shorter period is applied to the read models only."""

from __future__ import annotations

from confluent_kafka.admin import (  # type: ignore[attr-defined]
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    ResourceType,
)

from eventlens.eventstore.port import REJECTED_STREAM, TRACKED_STREAM

DAY_MS = 86_400_000


def topic_retention_ms(periods: list[int | None]) -> int:
    """-1 (forever) unless every site has a period; else the longest, plus the day an expiry
    rounds to (expiries remove what was received before a UTC midnight)."""
    if not periods or any(days is None for days in periods):
        return -1
    return (max(d for d in periods if d is not None) + 1) * DAY_MS


def set_topic_retention(bootstrap: str, prefix: str, ms: int, timeout: float = 30.0) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resources = [
        ConfigResource(
            ResourceType.TOPIC,
            prefix + stream,
            incremental_configs=[
                ConfigEntry("retention.ms", str(ms), incremental_operation=AlterConfigOpType.SET)
            ],
        )
        for stream in (TRACKED_STREAM, REJECTED_STREAM)
    ]
    for future in admin.incremental_alter_configs(resources, request_timeout=timeout).values():
        future.result()


def topic_retention(bootstrap: str, prefix: str, timeout: float = 30.0) -> dict[str, str]:
    """The tracked and rejected topics' `retention.ms`, by topic."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resources = [
        ConfigResource(ResourceType.TOPIC, prefix + s) for s in (TRACKED_STREAM, REJECTED_STREAM)
    ]
    found = {}
    for resource, future in admin.describe_configs(resources, request_timeout=timeout).items():
        found[resource.name] = future.result()["retention.ms"].value
    return found
