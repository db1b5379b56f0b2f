"""`/api/privacy`: erasure and access requests for a subject (a user id), and the
server-side opt-out list. Admins only."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from eventlens.api.deps import AdminDep, CommandsDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.commands.change_opt_out import ChangeOptOut, change_opt_out
from eventlens.commands.erase_subject import EraseSubject, check_user_id, erase_subject
from eventlens.domain.errors import NotFound
from eventlens.views.subject_export import subject_events

router = APIRouter(prefix="/api/privacy", tags=["privacy"])
UserId = Annotated[str, Path(min_length=1, max_length=200, description="The subject's user id")]
ERRORS = documented(401, 403, 404, 422)


class ErasureOut(BaseModel):
    status: str = "erased"
    subject: str  # the pseudonym the subject's events keep in the read models


class OptOutOut(BaseModel):
    opted_out: bool


@router.delete("/subjects/{user_id}", response_model=ErasureOut, responses=ERRORS)
async def erase(
    user_id: UserId, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> ErasureOut:
    """Forget the subject: delete their key, so their user id and personal properties can
    no longer be read in the history, and blank them in the read models. Counts stay."""
    handler = partial(erase_subject, keys=platform.keys)
    subject = await run_in_threadpool(commands, handler, EraseSubject(actor, user_id))
    return ErasureOut(subject=subject)


@router.get(
    "/subjects/{user_id}/export",
    responses={200: {"content": {"application/x-ndjson": {}}}, **ERRORS},
)
async def export(user_id: UserId, actor: AdminDep, platform: PlatformDep) -> Response:
    """The subject's events, decrypted, one JSON object per line (NDJSON), oldest first:
    tracked events, then rejected ones (`rejected: true`, with their reasons)."""
    found = await run_in_threadpool(platform.keys.find, check_user_id(user_id))
    if found is None:
        raise NotFound("no personal data is held under a key for this user id")
    async with platform.pool.connection() as conn:
        lines = await subject_events(conn, *found)
    return Response(b"".join(lines), media_type="application/x-ndjson")


@router.put(
    "/opt-outs/{user_id}", response_model=OptOutOut, responses=documented(401, 403, 409, 422)
)
async def opt_out(
    user_id: UserId, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> OptOutOut:
    """Refuse the user id's events from now on (rejected as `opted_out`, without their
    personal fields)."""
    handler = partial(change_opt_out, lookup=platform.keys.lookup)
    await run_in_threadpool(commands, handler, ChangeOptOut(actor, user_id, True))
    return OptOutOut(opted_out=True)


@router.delete("/opt-outs/{user_id}", response_model=OptOutOut, responses=ERRORS)
async def opt_in(
    user_id: UserId, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> OptOutOut:
    """Take the user id off the opt-out list: its events are accepted again."""
    handler = partial(change_opt_out, lookup=platform.keys.lookup)
    await run_in_threadpool(commands, handler, ChangeOptOut(actor, user_id, False))
    return OptOutOut(opted_out=False)
