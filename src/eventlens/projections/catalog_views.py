"""Catalog views for analysts and Grafana: `schemas`, `schema_versions`, `adaptors`, `goals`,
`funnels` (each site's saved funnels), `users`.

Built from the catalog's events: each notification names an aggregate, whose current state is
upserted; schema definitions are also kept per version. Users are listed without their
password hashes.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import orjson
import psycopg
from psycopg.types.json import Jsonb

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.schema import Schema
from eventlens.domain.user import User
from eventlens.eventstore.catalog import Catalog
from eventlens.eventstore.port import CATALOG_STREAM, StoredRecord

DDL = """
CREATE TABLE IF NOT EXISTS schemas (
    name          text PRIMARY KEY,
    description   text NOT NULL,
    event_types   jsonb NOT NULL,
    version       integer NOT NULL,
    is_active     boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS schema_versions (
    name          text NOT NULL,
    version       integer NOT NULL,
    description   text NOT NULL,
    event_types   jsonb NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (name, version)
);
CREATE TABLE IF NOT EXISTS adaptors (
    container_id  text PRIMARY KEY,
    name          text NOT NULL,
    schema_id     text NOT NULL,
    website_urls  text[] NOT NULL,
    allowed_origins text[] NOT NULL,
    description   text NOT NULL,
    is_active     boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    timezone      text NOT NULL DEFAULT 'UTC'
);
ALTER TABLE adaptors ADD COLUMN IF NOT EXISTS timezone text NOT NULL DEFAULT 'UTC';
CREATE TABLE IF NOT EXISTS goals (
    goal_id       text PRIMARY KEY,
    container_id  text NOT NULL,
    name          text NOT NULL,
    display_name  text NOT NULL,
    event_name    text,
    page_path     text,
    page_regex    text,
    currency      text,
    created_at    timestamptz NOT NULL,
    UNIQUE (container_id, name)
);
CREATE TABLE IF NOT EXISTS funnels (
    funnel_id     text PRIMARY KEY,
    container_id  text NOT NULL,
    name          text NOT NULL,
    steps         text[] NOT NULL,
    within        text NOT NULL,
    created_at    timestamptz NOT NULL,
    breakdown     text,
    UNIQUE (container_id, name)
);
CREATE TABLE IF NOT EXISTS users (
    username      text PRIMARY KEY,
    role          text NOT NULL,
    is_active     boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
"""


def originator_of(record: StoredRecord) -> tuple[UUID, int]:
    """Both the PostgreSQL notification reader and the Kafka relay encode the originator."""
    data = orjson.loads(record.payload)
    return UUID(data["originator_id"]), int(data["originator_version"])


class CatalogViews:
    name = "catalog"
    version = 2  # raise on a change to the read models (projections/versions.py)
    bulk_load_indexes: tuple[str, ...] = ()
    streams: tuple[str, ...] = (CATALOG_STREAM,)

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog

    def setup(self, conn: psycopg.Connection) -> None:
        conn.execute(DDL)

    def prepare(self, records: Sequence[StoredRecord]) -> Sequence[StoredRecord]:
        return records

    def apply(self, conn: psycopg.Connection, records: Sequence[StoredRecord]) -> None:
        changes = [originator_of(r) for r in records]
        for aggregate_id in dict.fromkeys(aggregate_id for aggregate_id, _ in changes):
            aggregate = self._catalog.aggregate(aggregate_id)
            if isinstance(aggregate, Schema):
                self._schema(conn, aggregate)
                for version in sorted(v for a, v in changes if a == aggregate_id):
                    self._schema_version(conn, self._catalog.aggregate(aggregate_id, version))
            elif isinstance(aggregate, Adaptor):
                self._adaptor(conn, aggregate)
                self._goals(conn, aggregate)
                self._funnels(conn, aggregate)
            elif isinstance(aggregate, User):
                self._user(conn, aggregate)

    @staticmethod
    def _schema(conn: psycopg.Connection, schema: Schema) -> None:
        conn.execute(
            "INSERT INTO schemas VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE "
            "SET description = excluded.description, event_types = excluded.event_types, "
            "version = excluded.version, is_active = excluded.is_active, "
            "updated_at = excluded.updated_at",
            (
                schema.name,
                schema.description,
                Jsonb(schema.event_types),
                schema.schema_version,
                not schema.retired,
                schema.created_on,
                schema.modified_on,
            ),
        )

    @staticmethod
    def _schema_version(conn: psycopg.Connection, schema: Schema) -> None:
        """One row per definition; retiring (which changes no definition) adds none."""
        conn.execute(
            "INSERT INTO schema_versions VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            (
                schema.name,
                schema.schema_version,
                schema.description,
                Jsonb(schema.event_types),
                schema.modified_on,
            ),
        )

    @staticmethod
    def _adaptor(conn: psycopg.Connection, adaptor: Adaptor) -> None:
        conn.execute(
            "INSERT INTO adaptors (container_id, name, schema_id, website_urls, allowed_origins, "
            "description, is_active, created_at, updated_at, timezone) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (container_id) DO UPDATE SET name = excluded.name, "
            "schema_id = excluded.schema_id, website_urls = excluded.website_urls, "
            "allowed_origins = excluded.allowed_origins, description = excluded.description, "
            "is_active = excluded.is_active, updated_at = excluded.updated_at, "
            "timezone = excluded.timezone",
            (
                adaptor.container_id,
                adaptor.name,
                adaptor.schema_name,
                adaptor.website_urls,
                sorted(adaptor.origins),
                adaptor.description,
                adaptor.active,
                adaptor.created_on,
                adaptor.modified_on,
                adaptor.timezone,
            ),
        )

    @staticmethod
    def _goals(conn: psycopg.Connection, adaptor: Adaptor) -> None:
        """The site's goals as they are now: removed ones deleted, new ones added."""
        goals = list(adaptor.goals.values())
        conn.execute(
            "DELETE FROM goals WHERE container_id = %s AND NOT (goal_id = ANY(%s))",
            (adaptor.container_id, [g.goal_id for g in goals]),
        )
        for goal in goals:
            conn.execute(
                "INSERT INTO goals VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (goal_id) DO NOTHING",
                (
                    goal.goal_id,
                    goal.container_id,
                    goal.name,
                    goal.display_name,
                    goal.event_name,
                    goal.page_path,
                    goal.path_regex,
                    goal.currency,
                    goal.created_at,
                ),
            )

    @staticmethod
    def _funnels(conn: psycopg.Connection, adaptor: Adaptor) -> None:
        """The site's saved funnels as they are now: deleted ones gone, new ones added."""
        funnels = list(adaptor.funnels.values())
        conn.execute(
            "DELETE FROM funnels WHERE container_id = %s AND NOT (funnel_id = ANY(%s))",
            (adaptor.container_id, [f.funnel_id for f in funnels]),
        )
        for funnel in funnels:
            conn.execute(
                "INSERT INTO funnels (funnel_id, container_id, name, steps, within, created_at, "
                "breakdown) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (funnel_id) DO NOTHING",
                (
                    funnel.funnel_id,
                    adaptor.container_id,
                    funnel.name,
                    list(funnel.steps),
                    funnel.within,
                    funnel.created_at,
                    funnel.breakdown,
                ),
            )

    @staticmethod
    def _user(conn: psycopg.Connection, user: User) -> None:
        conn.execute(
            "INSERT INTO users VALUES (%s, %s, %s, %s, %s) ON CONFLICT (username) DO UPDATE "
            "SET role = excluded.role, is_active = excluded.is_active, "
            "updated_at = excluded.updated_at",
            (user.username, user.role, not user.removed, user.created_on, user.modified_on),
        )
