"""The catalog: the event-sourced application that records schemas, adaptors and users."""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from eventlens.domain.adaptor import Adaptor, adaptor_id_for
from eventlens.domain.errors import AlreadyExists, Conflict, NotFound
from eventlens.domain.schema import Schema, schema_id_for
from eventlens.domain.user import User, user_id_for

A = TypeVar("A", bound=Aggregate)


class Catalog(Application[UUID]):
    """Schemas, adaptors and users, each an aggregate with optimistic concurrency.

    Persistence comes from the environment given at construction: eventsourcing's
    PostgreSQL recorder in production, its in-memory recorder in unit tests.
    """

    name = "eventlens_catalog"

    def record(self, *aggregates: Aggregate, creating: str | None = None) -> None:
        """Save, turning a lost race into a domain error.

        `creating` names what is being created: an identity clash then means it exists.
        """
        try:
            self.save(*aggregates)
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

    def has(self, aggregate_id: UUID) -> bool:
        return aggregate_id in self.repository

    def aggregate(self, aggregate_id: UUID, version: int | None = None) -> Any:
        return self.repository.get(aggregate_id, version=version)
