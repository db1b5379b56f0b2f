"""`/api/adaptors`: the tracked sites, each with a container id, its tag and the inline
snippet."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from eventlens.api.catalog_models import AdaptorIn, AdaptorOut, AdaptorUpdate
from eventlens.api.deps import ActorDep, AdminDep, CommandsDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.disable_adaptor import DisableAdaptor, disable_adaptor
from eventlens.commands.update_adaptor import UpdateAdaptor, update_adaptor
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.errors import NotFound
from eventlens.domain.snippet import TRACKER_PATH, render_snippet, render_tag

router = APIRouter(prefix="/api/adaptors", tags=["adaptors"])
ContainerId = Annotated[str, Path(max_length=20, description="The container id, CAP-XXXXXX")]
ERRORS = documented(401, 403, 404, 409, 422)


def _out(adaptor: Adaptor, request: Request) -> AdaptorOut:
    base = str(request.base_url)
    script_path = request.app.state.platform.settings.tracker_path or TRACKER_PATH
    return AdaptorOut.of(
        adaptor,
        tag=render_tag(base, adaptor.container_id, script_path),
        inline_snippet=render_snippet(base, adaptor.schema_name, adaptor.container_id),
    )


@router.post("/", status_code=201, response_model=AdaptorOut, responses=ERRORS)
def create(
    body: AdaptorIn, actor: AdminDep, commands: CommandsDep, platform: PlatformDep, request: Request
) -> AdaptorOut:
    adaptor = commands(
        create_adaptor,
        CreateAdaptor(
            actor,
            name=body.name,
            schema_name=body.schema_name,
            website_urls=body.urls(),
            allowed_origins=body.allowed_origins,
            description=body.description,
            timezone=body.timezone,
        ),
    )
    return _out(adaptor, request)


@router.get("/", response_model=list[AdaptorOut], responses=ERRORS)
def list_adaptors(actor: ActorDep, platform: PlatformDep, request: Request) -> list[AdaptorOut]:
    return [_out(a, request) for a in platform.cache.adaptors()]


@router.get("/{container_id}", response_model=AdaptorOut, responses=ERRORS)
def get(
    container_id: ContainerId, actor: ActorDep, platform: PlatformDep, request: Request
) -> AdaptorOut:
    adaptor = platform.cache.adaptor(container_id)
    if adaptor is None:
        raise NotFound(f"adaptor {container_id!r} does not exist")
    return _out(adaptor, request)


@router.put("/{container_id}", response_model=AdaptorOut, responses=ERRORS)
def update(
    container_id: ContainerId,
    body: AdaptorUpdate,
    actor: AdminDep,
    commands: CommandsDep,
    platform: PlatformDep,
    request: Request,
) -> AdaptorOut:
    adaptor = commands(
        update_adaptor,
        UpdateAdaptor(
            actor,
            container_id,
            name=body.name,
            schema_name=body.schema_name,
            website_urls=body.urls(),
            allowed_origins=body.allowed_origins,
            description=body.description,
            timezone=body.timezone,
            active=body.is_active,
        ),
    )
    return _out(adaptor, request)


@router.delete("/{container_id}", response_model=AdaptorOut, responses=ERRORS)
def disable(
    container_id: ContainerId,
    actor: AdminDep,
    commands: CommandsDep,
    platform: PlatformDep,
    request: Request,
) -> AdaptorOut:
    """Disable the adaptor: its events are refused from now on; its history stays."""
    adaptor = commands(disable_adaptor, DisableAdaptor(actor, container_id))
    return _out(adaptor, request)
