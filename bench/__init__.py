"""Benchmarks: `make bench` / `python -m bench [--only NAME] [--quick]` (see docs/BENCHMARKS.md).

Layout:
    cli, registry          the command; the benchmarks it runs, in order
    core                   results, target checks, failures, run context (services, scratch)
    benchmarks/            one module per benchmark: ingest, memory, freshness, projection,
                           replay, queries
    targets/               systems under test: EventLens in both modes and the baselines
    baselines/             the baseline apps (bare ASGI, FastAPI + pydantic, seed design)
    services/              PostgreSQL server, Kafka broker, `eventlens up` as processes
    loadgen/               wrk and its Lua script; a paced ingest sender and a query load
                           generator (Python, each run as its own process)
    workload, verify       the ingest loads; the exactly-once checks every figure must pass
    history                events appended straight into a store, `eventlens worker` runs,
                           read-model checks and snapshots (projection, replay)
    latency                nearest-rank percentiles
    procstats, dbactivity  CPU and memory of process trees; what PostgreSQL is busy with
    report, table, fmt     docs/BENCHMARKS.md and the console table
    profiling              `python -m bench.profiling`: py-spy and database sampling under load
"""
