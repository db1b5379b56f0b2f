"""A subject's events, decrypted, for their access request: the tracked events from the
master log and the rejected ones, oldest first."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from psycopg import AsyncConnection

from eventlens.domain.personal import unseal

TRACKED = """
SELECT event_id::text, schema_id, container_id, event_type, session_id, "timestamp",
       received_at, properties, metadata, sealed
FROM event_logs WHERE subject_id = %s ORDER BY received_at, event_id
"""
REJECTED = """
SELECT payload, reasons FROM rejected_events
WHERE payload->>'subject' = %s ORDER BY received_at, event_id
"""


def _opened(cipher: AESGCM, event_id: str, blob: str | None) -> dict[str, Any]:
    if blob is None:
        return {}
    try:
        return unseal(cipher, UUID(event_id), blob)
    except (InvalidTag, ValueError):
        return {}


async def subject_events(conn: AsyncConnection[Any], subject: str, key: bytes) -> list[bytes]:
    """The subject's events as NDJSON lines: every field as recorded, with the user id and
    the personal properties decrypted; rejected events with `rejected: true` and reasons."""
    cipher = AESGCM(key)
    lines: list[bytes] = []
    cursor = await conn.execute(TRACKED, (subject,))
    for row in await cursor.fetchall():
        event_id, schema_id, container, event_type, session, at, received, props, meta, blob = row
        personal = _opened(cipher, event_id, blob)
        event = {
            "event_id": event_id,
            "schema_id": schema_id,
            "container_id": container,
            "event_type": event_type,
            "user_id": personal.get("user_id"),
            "session_id": session,
            "timestamp": at,
            "received_at": received,
            "properties": {**props, **personal.get("properties", {})},
            "metadata": meta,
            "rejected": False,
        }
        lines.append(orjson.dumps(event) + b"\n")
    cursor = await conn.execute(REJECTED, (subject,))
    for payload, reasons in await cursor.fetchall():
        personal = _opened(cipher, payload["event_id"], payload.pop("sealed", None))
        payload.pop("subject", None)
        payload["user_id"] = personal.get("user_id")
        payload["properties"] = {
            **(payload.get("properties") or {}),
            **personal.get("properties", {}),
        }
        payload.update(rejected=True, reasons=reasons)
        lines.append(orjson.dumps(payload) + b"\n")
    return lines
