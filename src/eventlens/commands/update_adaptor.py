"""UpdateAdaptor: rename, rebind, or change the URLs, origins or time zone of an adaptor."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.errors import InvalidInput
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class UpdateAdaptor:
    actor: Actor
    container_id: str
    name: object = None
    schema_name: str | None = None
    website_urls: object = None
    allowed_origins: object = None
    description: object = None
    timezone: object = None
    active: bool | None = None


def update_adaptor(command: UpdateAdaptor, catalog: Catalog) -> Adaptor:
    require_admin(command.actor, "update adaptors")
    adaptor = catalog.adaptor(command.container_id)
    if command.schema_name is not None and command.schema_name != adaptor.schema_name:
        schema = catalog.schema(command.schema_name)
        if schema.retired:
            raise InvalidInput(f"schema {schema.name!r} is retired", field="schema")
    adaptor.update(
        name=command.name,
        schema_name=command.schema_name,
        website_urls=command.website_urls,
        allowed_origins=command.allowed_origins,
        description=command.description,
        timezone=command.timezone,
    )
    if command.active is True and not adaptor.active:
        adaptor.enable()
    elif command.active is False and adaptor.active:
        adaptor.disable()
    catalog.record(adaptor, actor=command.actor.username)
    return adaptor
