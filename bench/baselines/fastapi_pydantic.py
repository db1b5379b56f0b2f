"""The framework cost: FastAPI routing and pydantic validation of the seed's body, then 202.
Nothing is stored."""

from __future__ import annotations

from fastapi import FastAPI, Response

from bench.baselines.counting import BATCH_PATH, COUNTS_PATH, INGEST_PATH, count, counts_json
from bench.baselines.models import EventBatch, EventIngest

app = FastAPI()


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.get(COUNTS_PATH)
async def counts() -> Response:
    return Response(counts_json(), media_type="application/json")


@app.post(INGEST_PATH, status_code=202)
async def ingest(event: EventIngest) -> dict[str, str]:
    count(event.event_id)
    return {"status": "accepted", "event_id": str(event.event_id)}


@app.post(BATCH_PATH, status_code=202)
async def batch(body: EventBatch) -> dict[str, int]:
    for event in body.events:
        count(event.event_id)
    return {"accepted": len(body.events)}
