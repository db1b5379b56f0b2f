"""`/api/users/{username}/api-keys`: keys that read stats, for scripts and Plausible clients
(`Authorization: Bearer el_...`). `me` stands for the signed-in user."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from eventlens.api.deps import ActorDep, CommandsDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.commands.actor import Actor
from eventlens.commands.create_api_key import CreateApiKey, create_api_key
from eventlens.commands.revoke_api_key import RevokeApiKey, may_manage_keys_of, revoke_api_key
from eventlens.domain.credentials import MAX_LABEL, ApiKey, Scope
from eventlens.domain.errors import NotFound

router = APIRouter(prefix="/api/users", tags=["api keys"])
Username = Annotated[
    str, Path(max_length=64, description="A username, or `me` for the signed-in user")
]
KeyId = Annotated[str, Path(max_length=32)]
ME = "me"


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=MAX_LABEL, examples=["Weekly report script"])
    scope: str = Field(Scope.STATS_READ.value, description="`stats:read`, the only scope so far")


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to tell it apart")
    scope: str
    created_at: datetime

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.id, name=key.name, prefix=key.prefix, scope=key.scope, created_at=key.created_at
        )


class IssuedApiKeyOut(ApiKeyOut):
    key: str = Field(
        description="The key itself, shown this once (only its digest is kept): send it as "
        "`Authorization: Bearer <key>`"
    )


def _owner(actor: Actor, username: str) -> str:
    return actor.username if username == ME else username


@router.post(
    f"/{ME}/api-keys",
    status_code=201,
    response_model=IssuedApiKeyOut,
    responses=documented(401, 409, 422),
)
def create(body: ApiKeyIn, actor: ActorDep, commands: CommandsDep) -> IssuedApiKeyOut:
    """A new key for the signed-in user, that reads stats and nothing else."""
    issued = commands(create_api_key, CreateApiKey(actor, body.name, body.scope))
    return IssuedApiKeyOut(**ApiKeyOut.of(issued.key).model_dump(), key=issued.secret)


@router.get(
    "/{username}/api-keys", response_model=list[ApiKeyOut], responses=documented(401, 403, 404)
)
def list_keys(username: Username, actor: ActorDep, platform: PlatformDep) -> list[ApiKeyOut]:
    """A user's keys, oldest first (admins see anyone's)."""
    owner = _owner(actor, username)
    may_manage_keys_of(actor, owner)
    user = platform.cache.user(owner)
    if user is None or user.removed:
        raise NotFound(f"user {owner!r} does not exist")
    keys = sorted(user.api_keys.values(), key=lambda k: (k.created_at, k.id))
    return [ApiKeyOut.of(k) for k in keys]


@router.delete(
    "/{username}/api-keys/{key_id}",
    response_model=ApiKeyOut,
    responses=documented(401, 403, 404, 409),
)
def revoke(username: Username, key_id: KeyId, actor: ActorDep, commands: CommandsDep) -> ApiKeyOut:
    """Revoke a key: it stops working at once."""
    key = commands(revoke_api_key, RevokeApiKey(actor, _owner(actor, username), key_id))
    return ApiKeyOut.of(key)
