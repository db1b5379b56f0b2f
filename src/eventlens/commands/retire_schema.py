"""RetireSchema: stop accepting events for a schema. Its history and tables stay."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.schema import Schema
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class RetireSchema:
    actor: Actor
    name: str


def retire_schema(command: RetireSchema, catalog: Catalog) -> Schema:
    require_admin(command.actor, "retire schemas")
    schema = catalog.schema(command.name)
    schema.retire()
    catalog.record(schema, actor=command.actor.username)
    return schema
