"""A query load generator, run as its own process: read requests against the API, timed.

    python -m bench.loadgen.queries < spec.json

The spec names the API (`base_url`, loopback), a bearer `token` and `scenarios`, each
{name, method, path, body (JSON or null), requests, concurrency, warmup, extract}. For each
scenario, `warmup` requests are sent first (not timed), then `requests` requests over
`concurrency` keep-alive connections, each waiting for its answer before the next. Every answer
must be 200; `extract` names what is read from each answer's JSON for the caller to verify (the
distinct values seen are reported, and the lowest and highest of numeric ones), and the first
request's latency is reported too (the first after start: a cold one). Prints one line:
BENCH_RESULT {json}.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import orjson

from bench.latency import percentiles
from bench.loadgen.httpclient import Connection, HttpError
from bench.loadgen.paced import MARKER, run


def _graphql(body: Any) -> Any:
    if body.get("errors"):
        raise ValueError(f"GraphQL errors: {body['errors']}")
    return body["data"]


def _series(body: Any) -> int:
    """The sum of an hourly series over 30 days: 720 points, or 721 when the range does not
    start on the hour."""
    points = _graphql(body)["timeSeries"]
    if len(points) not in (720, 721):
        raise ValueError(f"{len(points)} points in a 30-day hourly series")
    return sum(int(p["count"]) for p in points)


EXTRACT: dict[str, Callable[[Any], Any]] = {
    "total_events": lambda body: body["total_events"],
    "graphql_stats_total": lambda body: _graphql(body)["stats"]["totalEvents"],
    "graphql_series": _series,
    "rows": len,
}
MAX_DISTINCT = 5


async def scenario(base_url: str, token: str, spec: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    body = None
    if spec.get("body") is not None:
        body = orjson.dumps(spec["body"])
        headers["Content-Type"] = "application/json"
    extract = EXTRACT[spec["extract"]]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    values: list[Any] = []
    numbers: list[int] = []  # the lowest and highest numeric answer
    first: list[float] = []  # the first request's latency (a warm-up one, when there are)
    remaining = {"warmup": int(spec.get("warmup", 10)), "measured": int(spec["requests"])}

    async def one(conn: Connection, timed: bool) -> None:
        started = time.perf_counter()
        try:
            status, answer = await conn.request(spec["method"], spec["path"], body, headers)
        except HttpError as error:
            errors[str(error)[:80]] = errors.get(str(error)[:80], 0) + 1
            return
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200:
            key = f"status {status}: {answer[:200].decode(errors='replace')}"
            errors[key] = errors.get(key, 0) + 1
            return
        try:
            value = extract(orjson.loads(answer))
        except (ValueError, KeyError, TypeError) as error:
            key = f"bad answer: {error!r}"[:200]
            errors[key] = errors.get(key, 0) + 1
            return
        if value not in values and len(values) < MAX_DISTINCT:
            values.append(value)
        if isinstance(value, int):
            numbers[:] = [min([value, *numbers]), max([value, *numbers])]
        if not first:
            first.append(elapsed)
        if timed:
            latencies.append(elapsed)

    async def connection(phase: str) -> None:
        conn = Connection(base_url)
        try:
            while remaining[phase] > 0:
                remaining[phase] -= 1
                await one(conn, phase == "measured")
        finally:
            await conn.close()

    concurrency = int(spec.get("concurrency", 1))
    await asyncio.gather(*(connection("warmup") for _ in range(concurrency)))
    started = time.monotonic()
    await asyncio.gather(*(connection("measured") for _ in range(concurrency)))
    duration = time.monotonic() - started
    pct = percentiles(latencies, (50, 95, 99, 100))
    return {
        "name": spec["name"],
        "requests": len(latencies),
        "concurrency": concurrency,
        "errors": errors,
        "values": values,
        "lowest": numbers[0] if numbers else None,
        "highest": numbers[-1] if numbers else None,
        "first_ms": round(first[0], 3) if first else None,
        "duration_s": round(duration, 3),
        "requests_per_s": round(len(latencies) / duration, 1) if duration else 0.0,
        "p50_ms": round(pct[50], 3),
        "p95_ms": round(pct[95], 3),
        "p99_ms": round(pct[99], 3),
        "max_ms": round(pct[100], 3),
        "mean_ms": round(sum(latencies) / len(latencies), 3) if latencies else None,
    }


async def main_async(spec: dict[str, Any]) -> dict[str, Any]:
    results = []
    for item in spec["scenarios"]:
        results.append(await scenario(spec["base_url"], spec["token"], item))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"scenarios": results, "cpu_s": round(usage.ru_utime + usage.ru_stime, 3)}


def main() -> None:
    spec = json.load(sys.stdin)
    print(MARKER + json.dumps(run(main_async(spec))), flush=True)


if __name__ == "__main__":
    main()
