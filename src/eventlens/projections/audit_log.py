"""The `audit_log` read model: every change to the catalog, with who made it and when.

Built from the catalog's event history (schemas, adaptors, users and their API keys, shared
links, sign-ins and sign-outs, and whatever else is recorded there), one row per event. Rows
are only ever inserted, by this projection. Secrets (password hashes, digests of keys and
links) never reach it; neither does anything about tracked visitors, since the catalog holds
nothing about them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
import psycopg
from psycopg.types.json import Jsonb

from eventlens.domain.audit import ACTOR_FIELD, UNKNOWN
from eventlens.eventstore.catalog import Catalog
from eventlens.eventstore.port import CATALOG_STREAM, StoredRecord

DDL = """
CREATE TABLE IF NOT EXISTS audit_log (
    position      bigint PRIMARY KEY,   -- the event's place in the catalog's history
    recorded_at   timestamptz NOT NULL,
    actor         text NOT NULL,        -- a username, 'system', 'anonymous' or 'unknown'
    action        text NOT NULL,        -- '<Aggregate>.<Event>', e.g. 'User.RoleChanged'
    subject_type  text NOT NULL,        -- the aggregate's kind, e.g. 'User', 'Adaptor'
    subject       text,                 -- its name: a username, container id, schema name...
    details       jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_log_recorded_at ON audit_log (recorded_at);
CREATE INDEX IF NOT EXISTS audit_log_actor ON audit_log (actor, position);
"""
# What an event carries that is not a detail of the change, and fields whose values must not be
# shown anywhere: a password's hash, the digests that stand for keys and links.
# Nor the pseudonyms of tracked people that privacy records hold (an erasure's subject, an
# opt-out's keyed hash of a user id): the audit log says who erased, not whom.
NOT_DETAILS = {"timestamp", "originator_topic", "class_version", ACTOR_FIELD, "subject", "lookup"}
SECRET_WORDS = ("password", "digest", "secret", "token", "hash")
# The attribute that names an aggregate, by preference.
NAMING_ATTRIBUTES = ("username", "container_id", "name")


def decoded(value: Any) -> Any:
    """eventsourcing's transcoded values ({"_type_": ..., "_data_": ...}) as plain JSON."""
    if isinstance(value, dict):
        if set(value) == {"_type_", "_data_"}:
            return decoded(value["_data_"])
        return {k: decoded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decoded(v) for v in value]
    return value


def details_of(state: dict[str, Any]) -> dict[str, Any]:
    return {
        key: decoded(value)
        for key, value in state.items()
        if key not in NOT_DETAILS and not any(word in key.lower() for word in SECRET_WORDS)
    }


def action_of(topic: str) -> tuple[str, str]:
    """`eventlens.domain.user:User.RoleChanged` -> ('User', 'User.RoleChanged')."""
    qualname = topic.rpartition(":")[2]
    return qualname.partition(".")[0], qualname


def subject_of(aggregate: object) -> str | None:
    for attribute in NAMING_ATTRIBUTES:
        value = getattr(aggregate, attribute, None)
        if isinstance(value, str):
            return value
    return None


class AuditLog:
    name = "audit_log"
    version = 1  # raise on a change to the read models (projections/versions.py)
    bulk_load_indexes: tuple[str, ...] = ("audit_log_recorded_at", "audit_log_actor")
    streams: tuple[str, ...] = (CATALOG_STREAM,)

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)

    def prepare(self, records: Sequence[StoredRecord]) -> list[dict[str, Any]]:
        return [orjson.loads(r.payload) for r in records]

    def apply(self, conn: psycopg.Connection, notes: list[dict[str, Any]]) -> None:
        subjects: dict[UUID, str | None] = {}
        rows = []
        for note in notes:
            aggregate_id = UUID(note["originator_id"])
            if aggregate_id not in subjects:
                subjects[aggregate_id] = subject_of(self._catalog.aggregate(aggregate_id))
            state = note["state"]
            subject_type, action = action_of(note["topic"])
            rows.append(
                (
                    int(note["notification_id"]),
                    datetime.fromisoformat(decoded(state["timestamp"])),
                    state.get(ACTOR_FIELD) or UNKNOWN,
                    action,
                    subject_type,
                    subjects[aggregate_id],
                    Jsonb(details_of(state)),
                )
            )
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO audit_log VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (position) DO NOTHING",
                rows,
            )
