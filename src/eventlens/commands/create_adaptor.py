"""CreateAdaptor: register a tracked site for a schema and give it a container id."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from eventlens.commands.actor import Actor, require_admin
from eventlens.domain.adaptor import CONTAINER_ID_ALPHABET, Adaptor, adaptor_id_for
from eventlens.domain.errors import Conflict, InvalidInput
from eventlens.eventstore.catalog import Catalog

ATTEMPTS = 20


@dataclass(frozen=True, slots=True)
class CreateAdaptor:
    actor: Actor
    name: object
    schema_name: str
    website_urls: object = None
    allowed_origins: object = None
    description: object = None
    timezone: object = None


def new_container_id() -> str:
    return "CAP-" + "".join(secrets.choice(CONTAINER_ID_ALPHABET) for _ in range(6))


def create_adaptor(command: CreateAdaptor, catalog: Catalog) -> Adaptor:
    require_admin(command.actor, "create adaptors")
    schema = catalog.schema(command.schema_name)
    if schema.retired:
        raise InvalidInput(f"schema {schema.name!r} is retired", field="schema")
    for _ in range(ATTEMPTS):
        container_id = new_container_id()
        if not catalog.has(adaptor_id_for(container_id)):
            break
    else:  # pragma: no cover - 32^6 ids make this practically unreachable
        raise Conflict("could not allocate a free container id; try again")
    adaptor = Adaptor.create(
        container_id=container_id,
        name=command.name,
        schema_name=schema.name,
        website_urls=command.website_urls,
        allowed_origins=command.allowed_origins,
        description=command.description,
        timezone=command.timezone,
    )
    catalog.record(adaptor, actor=command.actor.username, creating=f"adaptor {container_id}")
    return adaptor
