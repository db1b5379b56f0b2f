"""`/api/schemas`: register, read, update and retire event schemas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from eventlens.api.catalog_models import SchemaIn, SchemaOut, SchemaUpdate
from eventlens.api.deps import ActorDep, AdminDep, CommandsDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.retire_schema import RetireSchema, retire_schema
from eventlens.commands.update_schema import UpdateSchema, update_schema
from eventlens.domain.errors import InvalidInput, NotFound

router = APIRouter(prefix="/api/schemas", tags=["schemas"])
SchemaName = Annotated[str, Path(max_length=100)]
ERRORS = documented(401, 403, 404, 409, 422)


@router.post("/", status_code=201, response_model=SchemaOut, responses=ERRORS)
def create(
    body: SchemaIn, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> SchemaOut:
    schema = commands(
        register_schema, RegisterSchema(actor, body.name, body.description, body.properties)
    )
    return SchemaOut.of(schema)


@router.get("/", response_model=list[SchemaOut], responses=ERRORS)
def list_schemas(
    actor: ActorDep,
    platform: PlatformDep,
    include_retired: Annotated[bool, Query()] = False,
) -> list[SchemaOut]:
    return [SchemaOut.of(s) for s in platform.cache.schemas() if include_retired or not s.retired]


@router.get("/{name}", response_model=SchemaOut, responses=ERRORS)
def get(name: SchemaName, actor: ActorDep, platform: PlatformDep) -> SchemaOut:
    schema = platform.cache.schema(name)
    if schema is None:
        raise NotFound(f"schema {name!r} does not exist")
    return SchemaOut.of(schema)


@router.put("/{name}", response_model=SchemaOut, responses=ERRORS)
def update(
    name: SchemaName,
    body: SchemaUpdate,
    actor: AdminDep,
    commands: CommandsDep,
    platform: PlatformDep,
) -> SchemaOut:
    if body.name is not None and body.name != name:
        raise InvalidInput("a schema cannot be renamed; register a new one", field="name")
    schema = commands(update_schema, UpdateSchema(actor, name, body.description, body.properties))
    return SchemaOut.of(schema)


@router.delete("/{name}", response_model=SchemaOut, responses=ERRORS)
def retire(
    name: SchemaName, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> SchemaOut:
    """Retire the schema: new events are refused; its history and tables stay."""
    schema = commands(retire_schema, RetireSchema(actor, name))
    return SchemaOut.of(schema)
