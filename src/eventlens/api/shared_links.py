"""Shared links: a site's stats, read-only, for anyone holding the link (and its password).

Admins manage them under `/api/adaptors/{container_id}/shared-links`; the public side,
`/api/shared/{token}`, exchanges a link's token for a short-lived token that reads that
site's stats and nothing else.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from eventlens.access.tokens import TokenIssuer
from eventlens.api.deps import (
    ActorDep,
    AdminDep,
    CommandsDep,
    PlatformDep,
    client_address,
    get_tokens,
    too_many_attempts,
    unauthorized,
)
from eventlens.api.errors import documented
from eventlens.commands.create_shared_link import CreateSharedLink, create_shared_link
from eventlens.commands.passwords import verify_password
from eventlens.commands.revoke_shared_link import RevokeSharedLink, revoke_shared_link
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.credentials import MAX_LABEL, SharedLink
from eventlens.domain.errors import NotFound

router = APIRouter(tags=["shared links"])
ContainerId = Annotated[str, Path(max_length=20, description="The container id, CAP-XXXXXX")]
LinkId = Annotated[str, Path(max_length=32)]
Token = Annotated[str, Path(max_length=100, description="The shared link's token")]
Tokens = Annotated[TokenIssuer, Depends(get_tokens)]
GONE = "this shared link does not exist or has been revoked"


class SharedLinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=MAX_LABEL, examples=["Public stats"])
    password: str | None = Field(
        None, max_length=256, description="Asked of whoever opens the link; none if left out"
    )


class SharedLinkOut(BaseModel):
    id: str
    name: str
    has_password: bool
    created_at: datetime

    @classmethod
    def of(cls, link: SharedLink) -> SharedLinkOut:
        return cls(
            id=link.id, name=link.name, has_password=link.has_password, created_at=link.created_at
        )


class IssuedSharedLinkOut(SharedLinkOut):
    token: str = Field(
        description="The link's token, shown this once (only its digest is kept): put it in "
        "the link that is shared"
    )


class SharedSiteOut(BaseModel):
    container_id: str
    name: str
    timezone: str
    password_required: bool


class SharedAccessIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(None, max_length=256)


class SharedAccessOut(BaseModel):
    access_token: str = Field(description="Reads this site's stats, and nothing else")
    token_type: str = "bearer"
    container_id: str
    expires_in: int


@router.post(
    "/api/adaptors/{container_id}/shared-links",
    status_code=201,
    response_model=IssuedSharedLinkOut,
    responses=documented(401, 403, 404, 409, 422),
)
def create(
    container_id: ContainerId, body: SharedLinkIn, actor: AdminDep, commands: CommandsDep
) -> IssuedSharedLinkOut:
    command = CreateSharedLink(actor, container_id, body.name, body.password)
    issued = commands(create_shared_link, command)
    return IssuedSharedLinkOut(**SharedLinkOut.of(issued.link).model_dump(), token=issued.token)


@router.get(
    "/api/adaptors/{container_id}/shared-links",
    response_model=list[SharedLinkOut],
    responses=documented(401, 404),
)
def list_links(
    container_id: ContainerId, actor: ActorDep, platform: PlatformDep
) -> list[SharedLinkOut]:
    adaptor = platform.cache.adaptor(container_id)
    if adaptor is None:
        raise NotFound(f"adaptor {container_id!r} does not exist")
    links = sorted(adaptor.shared_links.values(), key=lambda k: (k.created_at, k.id))
    return [SharedLinkOut.of(link) for link in links]


@router.delete(
    "/api/adaptors/{container_id}/shared-links/{link_id}",
    response_model=SharedLinkOut,
    responses=documented(401, 403, 404, 409),
)
def revoke(
    container_id: ContainerId, link_id: LinkId, actor: AdminDep, commands: CommandsDep
) -> SharedLinkOut:
    """Revoke a link: it, and every token it was exchanged for, stops working at once."""
    link = commands(revoke_shared_link, RevokeSharedLink(actor, container_id, link_id))
    return SharedLinkOut.of(link)


@router.get("/api/shared/{token}", response_model=SharedSiteOut, responses=documented(404, 429))
async def shared_site(token: Token, request: Request, platform: PlatformDep) -> SharedSiteOut:
    """Public: the site a link opens, and whether it asks for a password."""
    adaptor, link = await _found(token, request, platform)
    return SharedSiteOut(
        container_id=adaptor.container_id,
        name=adaptor.name,
        timezone=adaptor.timezone,
        password_required=link.has_password,
    )


@router.post(
    "/api/shared/{token}", response_model=SharedAccessOut, responses=documented(401, 404, 429)
)
async def open_shared(
    token: Token,
    request: Request,
    platform: PlatformDep,
    tokens: Tokens,
    body: SharedAccessIn | None = None,
) -> SharedAccessOut:
    """Public: a link's token (and its password, when it has one) for a short-lived token
    that reads the stats of that one site."""
    adaptor, link = await _found(token, request, platform)
    if link.password_hash is not None:
        password = body.password if body else None
        if not password:
            raise unauthorized("this shared link needs a password")
        client = client_address(request)
        # Per link and address: failures from one address do not lock the link for everyone.
        keys = (f"shared-link:{link.id}|{client}", f"shared-link-client:{client}")
        wait = await platform.login_throttle.reserve(*keys)
        if wait:
            raise too_many_attempts(wait, "passwords")
        # Argon2 is slow by design: in a thread, not on the event loop that serves ingest.
        if not await asyncio.to_thread(verify_password, link.password_hash, password):
            raise unauthorized("wrong password")  # the reserved failure stands
        await platform.login_throttle.succeeded(*keys)
    return SharedAccessOut(
        access_token=tokens.issue_shared(adaptor.container_id, link.id),
        container_id=adaptor.container_id,
        expires_in=tokens.shared_ttl,
    )


async def _found(token: str, request: Request, platform: PlatformDep) -> tuple[Adaptor, SharedLink]:
    await platform.sync_catalog()  # a link created or revoked through another API process
    found = platform.cache.shared_link(token)
    if found is None:
        client = client_address(request)
        wait = await platform.login_throttle.reserve(f"shared-link-client:{client}")
        if wait:
            raise too_many_attempts(wait, "shared links")
        raise NotFound(GONE)
    return found
