"""The event body the load generator sends (see loadgen/ingest.lua), for one-off probes."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any


def tagged_event_id(tag: str) -> str:
    """A random UUID whose first 32 bits are `tag` (8 hex digits)."""
    return tag + str(uuid.uuid4())[8:]


def tag_range(tag: str) -> tuple[str, str]:
    """The lowest and highest UUID starting with `tag`: the range an index scan counts."""
    return f"{tag}-0000-0000-0000-000000000000", f"{tag}-ffff-ffff-ffff-ffffffffffff"


def snippet_event(
    container_id: str,
    event_id: str,
    schema_id: str = "portfolio_events",
    stamp: str | None = None,
    visitor: int | None = None,
) -> dict[str, Any]:
    """What the seed's tracking snippet posts, plus a client-generated `event_id`."""
    stamp = stamp or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    visitor_id = f"{visitor if visitor is not None else secrets.randbelow(20000) + 1:09d}"
    return {
        "event_id": event_id,
        "schema_id": schema_id,
        "event_type": "page_view",
        "user_id": f"user_1732780000000_{visitor_id}",
        "session_id": f"session_1732780000000_{visitor_id}",
        "timestamp": stamp,
        "properties": {
            "page_title": "Home",
            "tracked_at": stamp,
            "page_url": "http://localhost:8080/",
            "page_path": "/",
            "container_id": container_id,
        },
        "metadata": {},
    }
