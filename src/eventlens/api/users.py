"""`/api/users`: admins manage users; everyone manages their own password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from eventlens.api.catalog_models import UserIn, UserOut, UserUpdate
from eventlens.api.deps import (
    ActorDep,
    AdminDep,
    CommandsDep,
    PlatformDep,
    client_address,
    too_many_attempts,
)
from eventlens.api.errors import documented
from eventlens.api.throttle import password_keys
from eventlens.commands.create_user import CreateUser, create_user
from eventlens.commands.remove_user import RemoveUser, remove_user
from eventlens.commands.update_user import UpdateUser, update_user
from eventlens.domain.errors import InvalidInput, NotFound, PermissionDenied
from eventlens.domain.user import User

router = APIRouter(prefix="/api/users", tags=["users"])
Username = Annotated[str, Path(max_length=64)]
ERRORS = documented(401, 403, 404, 409, 422)
UPDATE_ERRORS = documented(401, 403, 404, 409, 422, 429)


def _present(platform: PlatformDep, username: str) -> User:
    user = platform.cache.user(username)
    if user is None or user.removed:
        raise NotFound(f"user {username!r} does not exist")
    return user


@router.post("/", status_code=201, response_model=UserOut, responses=ERRORS)
def create(body: UserIn, actor: AdminDep, commands: CommandsDep, platform: PlatformDep) -> UserOut:
    user = commands(create_user, CreateUser(actor, body.username, body.password, body.role))
    return UserOut.of(user)


@router.get("/", response_model=list[UserOut], responses=ERRORS)
def list_users(actor: AdminDep, platform: PlatformDep) -> list[UserOut]:
    return [UserOut.of(u) for u in platform.cache.users() if not u.removed]


@router.get("/{username}", response_model=UserOut, responses=ERRORS)
def get(username: Username, actor: ActorDep, platform: PlatformDep) -> UserOut:
    if not actor.is_admin and actor.username.lower() != username.lower():
        raise PermissionDenied("viewers may only read their own user")
    return UserOut.of(_present(platform, username))


@router.put("/{username}", response_model=UserOut, responses=UPDATE_ERRORS)
async def update(
    username: Username,
    body: UserUpdate,
    request: Request,
    actor: ActorDep,
    commands: CommandsDep,
    platform: PlatformDep,
) -> UserOut:
    """Changing your own password checks the current one: a guess at it is throttled like a
    sign-in, and counts against the same limits."""
    command = UpdateUser(actor, username, body.role, body.password, body.current_password)
    if body.password is None or actor.username.lower() != username.lower():
        return UserOut.of(await run_in_threadpool(commands, update_user, command))
    keys = password_keys(actor.username, client_address(request))
    throttle = platform.login_throttle
    wait = await throttle.reserve(*keys)
    if wait:
        raise too_many_attempts(wait, "password checks")
    try:
        user = await run_in_threadpool(commands, update_user, command)
    except InvalidInput as error:
        if error.field != "current_password":  # the current password was right
            await throttle.succeeded(*keys)
        raise  # a wrong current password: the reserved failure stands
    await throttle.succeeded(*keys)
    return UserOut.of(user)


@router.delete("/{username}", response_model=UserOut, responses=ERRORS)
def remove(
    username: Username, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> UserOut:
    user = commands(remove_user, RemoveUser(actor, username))
    return UserOut.of(user)
