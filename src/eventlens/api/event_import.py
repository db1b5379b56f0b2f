"""`POST /api/events/import`: an admin records events that happened earlier (history moved
from another tool, a backfill), each counted at its own `timestamp`.

Ingest counts an event at the time the server received it unless the sender's timestamp is
within minutes of it (`CLIENT_CLOCK_WINDOW`), so an anonymous sender cannot add page views to
another day. An import is the one way to do that, and it needs an admin. The body is a batch's
(`{"events": [...]}`); the request's address and User-Agent stand for the events' visitor, as
on ingest. The answer is a batch's.
"""

from __future__ import annotations

import orjson
from fastapi import APIRouter, HTTPException, Request, Response

from eventlens.api.deps import AdminDep, PlatformDep, client_address
from eventlens.api.errors import documented
from eventlens.api.ingest import MAX_USER_AGENT, parse_batch
from eventlens.api.ingest_answers import batch_answer
from eventlens.api.ingest_models import BatchResult, now
from eventlens.commands.track_events import TrackEvents, track_events
from eventlens.domain.errors import InvalidInput

router = APIRouter(prefix="/api/events", tags=["events"])


@router.post(
    "/import",
    status_code=202,
    response_model=BatchResult,
    responses=documented(401, 403, 413, 422),
    summary="Import events that happened earlier (admins)",
)
async def import_events(actor: AdminDep, platform: PlatformDep, request: Request) -> Response:
    most = platform.settings.max_batch_events
    try:
        data = orjson.loads(await request.body())
    except orjson.JSONDecodeError as problem:
        raise HTTPException(400, f"request body is not valid JSON: {problem}") from None
    items = data.get("events") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InvalidInput('the body must be {"events": [...]} or a JSON array of events')
    if len(items) > most:
        raise HTTPException(413, f"an import may hold at most {most} events a request")
    received_at = now()
    results, parsed, positions = parse_batch(items, received_at)
    events = [event.revised(imported=True) for event in parsed]
    agent = request.headers.get("user-agent")
    requester = platform.visitors.requester(
        client_address(request), agent[:MAX_USER_AGENT] if agent else None, received_at.date()
    )
    command = TrackEvents(events, None, requester)
    decision = await track_events(command, platform.cache, platform.store)
    answer = batch_answer(results, positions, decision.outcomes, None)
    return Response(answer.body, answer.status, media_type="application/json")
