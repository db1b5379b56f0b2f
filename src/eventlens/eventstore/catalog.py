"""The catalog: the event-sourced application that records schemas, adaptors and users."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import IntegrityError
from psycopg.conninfo import conninfo_to_dict

from eventlens.domain.adaptor import Adaptor, adaptor_id_for
from eventlens.domain.alerts import AlertRule
from eventlens.domain.audit import ACTOR_FIELD
from eventlens.domain.email_reports import EmailReport, email_report_id_for
from eventlens.domain.errors import AlreadyExists, Conflict, NotFound
from eventlens.domain.retention_period import Retention, retention_id_for
from eventlens.domain.schema import Schema, schema_id_for
from eventlens.domain.sign_ins import Session
from eventlens.domain.user import User, user_id_for
from eventlens.eventstore.postgres_schema import create_event_store_schema, immutability_triggers

A = TypeVar("A", bound=Aggregate)


class Catalog(Application[UUID]):
    """Schemas, adaptors and users, each an aggregate with optimistic concurrency.

    Persistence comes from the environment given at construction: eventsourcing's
    PostgreSQL recorder in production, its in-memory recorder in unit tests.
    """

    name = "eventlens_catalog"

    def record(self, *aggregates: Aggregate, actor: str, creating: str | None = None) -> None:
        """Save, turning a lost race into a domain error.

        `actor` is the username of whoever issued the command: it is stamped on every event
        recorded, for the audit log (events recorded before actors were stamped have none).
        `creating` names what is being created: an identity clash then means it exists.
        """
        events = [stamped(e, actor) for a in aggregates for e in a.collect_events()]
        try:
            self.save(*events)
        except IntegrityError:
            if creating is not None:
                raise AlreadyExists(f"{creating} already exists") from None
            raise Conflict("changed concurrently by another request; try again") from None

    def _get(self, aggregate_id: UUID, kind: type[A], label: str) -> A:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{label} does not exist") from None
        if not isinstance(aggregate, kind):  # pragma: no cover - ids are namespaced by kind
            raise NotFound(f"{label} does not exist")
        return aggregate

    def schema(self, name: str) -> Schema:
        return self._get(schema_id_for(name), Schema, f"schema {name!r}")

    def adaptor(self, container_id: str) -> Adaptor:
        return self._get(adaptor_id_for(container_id), Adaptor, f"adaptor {container_id!r}")

    def user(self, username: str) -> User:
        return self._get(user_id_for(username), User, f"user {username!r}")

    def alert_rule(self, rule_id: UUID) -> AlertRule:
        rule = self._get(rule_id, AlertRule, f"alert rule {rule_id}")
        if rule.deleted:
            raise NotFound(f"alert rule {rule_id} does not exist")
        return rule

    def email_report(self, container_id: str) -> EmailReport | None:
        """A site's report settings; None until they are first set."""
        report_id = email_report_id_for(container_id)
        if report_id not in self.repository:
            return None
        return self._get(report_id, EmailReport, f"the e-mail report of {container_id!r}")

    def retention(self, container_id: str) -> Retention | None:
        """A site's retention period; None until one is first set."""
        retention_id = retention_id_for(container_id)
        if retention_id not in self.repository:
            return None
        return self._get(retention_id, Retention, f"the retention period of {container_id!r}")

    def session(self, session_id: UUID) -> Session:
        return self._get(session_id, Session, "this sign-in")

    def has(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def aggregate(self, aggregate_id: UUID, version: int | None = None) -> Any:
        return self.repository.get(aggregate_id, version=version)


CATALOG_TABLE = f"{Catalog.name}_events"


def stamped(event: DomainEventProtocol[UUID], actor: str) -> DomainEventProtocol[UUID]:
    """The event with its actor as one more field of its recorded state.

    Not a declared field of each event class: eventsourcing passes an event's state to the
    aggregate's methods filtered by their parameters, so the stamp changes no aggregate, and
    events recorded before it simply lack it.
    """
    object.__setattr__(event, ACTOR_FIELD, actor)  # events are frozen dataclasses
    return event


def catalog_env(database_url: str) -> dict[str, str]:
    """eventsourcing's PostgreSQL recorder is configured by environment-style settings."""
    params = conninfo_to_dict(database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params.get("dbname", "postgres")),
        "POSTGRES_HOST": str(params.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(params.get("port", "5432")),
        "POSTGRES_USER": str(params.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(params.get("password", "")),
        "POSTGRES_POOL_SIZE": "3",
        "POSTGRES_MAX_OVERFLOW": "5",
        # A connection the server closed (a restart) is found out before it is used, and a
        # database that does not answer fails a command within seconds, not half a minute.
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_CONNECT_TIMEOUT": "2",
    }


def open_catalog(database_url: str) -> Catalog:
    create_event_store_schema(database_url)  # the shared append-only trigger function
    with psycopg.connect(database_url, autocommit=True) as conn:
        # Processes starting together (the API and its worker, several workers) would race
        # to create the catalog's tables: CREATE TABLE IF NOT EXISTS is not race-free.
        conn.execute("SELECT pg_advisory_lock(hashtext('eventlens-catalog-setup'))")
        try:
            catalog = Catalog(env=catalog_env(database_url))
            conn.execute(immutability_triggers(CATALOG_TABLE))
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext('eventlens-catalog-setup'))")
    return catalog
