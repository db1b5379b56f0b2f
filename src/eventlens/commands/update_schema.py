"""UpdateSchema: change a schema's description or event types (a new schema version)."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.schema import Schema
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class UpdateSchema:
    actor: Actor
    name: str
    description: str | None = None
    event_types: object | None = None


def update_schema(command: UpdateSchema, catalog: Catalog) -> Schema:
    require_admin(command.actor, "update schemas")
    schema = catalog.schema(command.name)
    schema.update(command.description, command.event_types)
    catalog.record(schema, actor=command.actor.username)
    return schema
