"""A dashboard load generator, run as its own process: `clients` dashboard users, each opening
pages (`bench.dashboard.page_visit`, seeded per client) one after another on a keep-alive
connection, every request of a page in turn, without pauses, for `seconds`. Each client
signs its requests with a token of its own (a user of its own).

    python -m bench.loadgen.pages < spec.json

The spec: {base_url, tokens (one per client), sites: [{container_id, schema_id,
event_types}], clients, seconds, seed}. Every answer must be 200 without GraphQL errors,
except the API's refusal of a query over its read time limit, which is counted by card
(`timed_out`) and timed with the rest: the page waited that long. Prints one line:
BENCH_RESULT {json} with the requests answered (not timed out), queries per second, errors,
and nearest-rank percentiles of the requests' latencies overall, by page and by card, and of
whole pages (a page's requests one after another).
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from typing import Any

import orjson

from bench.dashboard import Site, answer_errors, page_visit, too_slow
from bench.latency import percentiles
from bench.loadgen.httpclient import Connection, HttpError
from bench.loadgen.paced import MARKER, run

PCTS = (50, 95, 99)


def summary(samples: list[float]) -> dict[str, float]:
    return {f"p{p}": round(v, 2) for p, v in percentiles(samples, PCTS).items()} | {
        "count": len(samples)
    }


async def client(
    spec: dict[str, Any],
    token: str,
    sites: list[Site],
    seed: int,
    deadline: float,
    found: dict[str, list[float]],
    errors: dict[str, int],
    timed_out: dict[str, int],
) -> None:
    rng = random.Random(seed)
    conn = Connection(spec["base_url"])
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    try:
        while time.monotonic() < deadline:
            page_started = time.monotonic()
            requests = page_visit(rng, sites)
            for request in requests:
                body = orjson.dumps(request.body) if request.body is not None else None
                started = time.monotonic()
                try:
                    status, answer = await conn.request(request.method, request.path, body, headers)
                except HttpError as error:
                    key = f"{request.page}/{request.card}: {error}"[:160]
                    errors[key] = errors.get(key, 0) + 1
                    continue
                elapsed = (time.monotonic() - started) * 1000
                problem = (
                    f"status {status}: {answer[:300].decode(errors='replace')}"
                    if status != 200
                    else answer_errors(orjson.loads(answer))
                )
                if problem and too_slow(problem):
                    # The product's own answer to a query over its read time limit: the page
                    # waited that long for nothing. Timed and counted, not a harness failure.
                    key = f"{request.page}/{request.card}"
                    timed_out[key] = timed_out.get(key, 0) + 1
                elif problem:
                    key = f"{request.page}/{request.card}: {problem}"[:160]
                    errors[key] = errors.get(key, 0) + 1
                    continue
                found.setdefault("all", []).append(elapsed)
                found.setdefault(f"page {request.page}", []).append(elapsed)
                found.setdefault(f"card {request.page}/{request.card}", []).append(elapsed)
            whole = (time.monotonic() - page_started) * 1000
            found.setdefault(f"whole {requests[0].page}", []).append(whole)
    finally:
        await conn.close()


async def main_async(spec: dict[str, Any]) -> dict[str, Any]:
    sites = [
        Site(s["container_id"], s["schema_id"], tuple(s["event_types"])) for s in spec["sites"]
    ]
    found: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    timed_out: dict[str, int] = {}
    started = time.monotonic()
    deadline = started + float(spec["seconds"])
    await asyncio.gather(
        *(
            client(spec, token, sites, spec["seed"] * 1000 + i, deadline, found, errors, timed_out)
            for i, token in enumerate(spec["tokens"][: int(spec["clients"])])
        )
    )
    elapsed = time.monotonic() - started
    answered = len(found.get("all", [])) - sum(timed_out.values())
    return {
        "clients": spec["clients"],
        "seconds": round(elapsed, 2),
        "answered": answered,
        "queries_per_s": round(answered / elapsed, 1),
        "errors": errors,
        "timed_out": timed_out,
        "latency_ms": {name: summary(samples) for name, samples in sorted(found.items())},
    }


def main() -> None:
    spec = json.loads(sys.stdin.read())
    print(MARKER + json.dumps(run(main_async(spec))), flush=True)


if __name__ == "__main__":
    main()
