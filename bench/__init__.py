"""Benchmarks: `make bench` / `python -m bench [NAME ...] [--quick]` (see docs/BENCHMARKS.md).

Layout:
    cli, registry          the command; the benchmarks it runs, in order
    core                   results, target checks, failures, run context (services, scratch)
    benchmarks/            one module per benchmark: ingest, memory, freshness, projection,
                           replay, queries, soak
    targets/               systems under test: EventLens in both modes and the baselines
    baselines/             the baseline apps (bare ASGI, FastAPI + pydantic, seed design)
    services/              PostgreSQL server, Kafka broker, `eventlens up` as processes
    loadgen/               wrk and its Lua script; a paced ingest sender (seed bodies or the
                           tracker's requests, `loadgen/tracker.py`) and a query load
                           generator (Python, each run as its own process)
    workload, verify       the ingest loads; the exactly-once checks every figure must pass
    ledger                 per-event checks: every acknowledged id once in store and event_logs
    dashboard              the requests behind each dashboard page, seeded ranges and filters
    soak_clients           dashboard users and GraphQL subscriptions during a soak
    history                events appended straight into a store, `eventlens worker` runs,
                           read-model checks and snapshots (projection, replay)
    latency                nearest-rank percentiles
    procstats, dbactivity  CPU and memory of process trees; what PostgreSQL is busy with
    report, table, fmt     docs/BENCHMARKS.md and the console table
    profiling              `python -m bench.profiling`: py-spy and database sampling under load
"""

import sys as _sys
from pathlib import Path as _Path

# This checkout's EventLens, not an installed one (an editable install may point at another
# checkout): the harness imports it too (catalog set-up, event stores, embedded PostgreSQL).
_SRC = str(_Path(__file__).resolve().parents[1] / "src")
if _SRC not in _sys.path[:1]:
    _sys.path.insert(0, _SRC)
