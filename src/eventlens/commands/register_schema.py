"""RegisterSchema: define a new schema, or reinstate a retired one of the same name."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.names import check_schema_name
from eventlens.domain.schema import Schema, schema_id_for
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class RegisterSchema:
    actor: Actor
    name: str
    description: str | None
    event_types: object


def register_schema(command: RegisterSchema, catalog: Catalog) -> Schema:
    require_admin(command.actor, "register schemas")
    name = check_schema_name(command.name)
    if catalog.has(schema_id_for(name)):
        schema = catalog.schema(name)
        schema.reinstate(command.description, command.event_types)
        catalog.record(schema, actor=command.actor.username)
        return schema
    schema = Schema.register(name, command.description, command.event_types)
    catalog.record(schema, actor=command.actor.username, creating=f"schema {name!r}")
    return schema
