"""docs/BENCHMARKS.md: what was run, on what, and every number with its verification."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bench import fmt
from bench.core import BenchmarkReport, Profile
from bench.table import markdown, text

# The report's last section is written by hand: why the code is as it is, with the figures,
# method and date of each measurement behind it. Everything above it is generated; the
# section itself, from its heading to the end of the file, is kept as it is when the report
# is written again.
DECISIONS_HEADING = "## Decisions and measurements"


def decisions(previous: str) -> str:
    """The hand-written section of an earlier report, from its heading to the end ("" if it
    has none)."""
    marker = f"\n{DECISIONS_HEADING}\n"
    start = previous.find(marker)
    return previous[start + 1 :].strip() + "\n" if start >= 0 else ""


METHOD = """\
### Ingest throughput and memory

- **Load generator**: `wrk` (C, one thread, in its own process) with a Lua script
  (`bench/loadgen/ingest.lua`) that builds every request fresh: the seed snippet's body with
  `properties.container_id` set to the adaptor's container id and a new random UUID as
  `event_id` (its first 32 bits name the run). Visitors (user and session ids) are drawn from
  20,000, so Kafka spreads events over partitions by session as it would in production. Requests
  go over keep-alive connections on 127.0.0.1; each load runs after a warm-up run of the same
  shape (a longer one before a system's first load, so JIT compilation and cold caches do not
  land in a measurement). The Kafka broker, shared by every system that uses Kafka, is warmed
  up once when it starts (45 s of single-message produce requests, 16 in flight, with the
  event store's producer settings, fetched back as the projection consumers fetch): a fresh
  broker's JVM used about three times the CPU for the same load in its first 20 s, and without
  it the first system to use the broker paid for that. Latencies are wrk's (closed loop: each
  connection waits for its answer). wrk's own CPU is shown with every figure (CPU wrk): it
  takes a share of the same two cores, up to 0.6 of a core against the bare echo, so the
  echo's figures are the limit of this machine with its load generator, not of uvicorn alone.
- **Systems under test**, one at a time. The baselines are one uvicorn process each.
  `eventlens up` is a process tree: the main process serves HTTP (with half the cores' worth
  of API processes in all: one on two cores, so no other) and starts the projection workers
  as a child process (`eventlens worker`), and, when embedded, its PostgreSQL server, whose
  processes run as another user (not children). CPU and memory are measured over that whole
  tree (an earlier version of this text said the workers ran in the same process; they never
  did, and the figures always counted them):
  - `eventlens-postgres`: `eventlens up` on a fresh data directory (embedded PostgreSQL, the
    PostgreSQL event store, projection workers in their child process), set up through the REST
    API: login, `POST /api/schemas/` with the seed's schema, `POST /api/adaptors/`.
  - `eventlens-kafka`: the same with `EVENTLENS_KAFKA_BOOTSTRAP` (a single-node Apache Kafka
    broker from `scripts/kafka-broker`) and `EVENTLENS_DATABASE_URL` (a PostgreSQL server of the
    same embedded build and configuration).
  - `seed-design`: the seed README's design as it reads (`bench/baselines/seed_design.py`):
    FastAPI + pydantic; per request INSERT into `event_logs` and `events_portfolio_events`,
    COMMIT, then hand the event to the Kafka producer for `analytics.events` (`produce`, then
    `poll(0)`) and answer without waiting for the delivery report (the README says only that
    the event "is sent to Kafka"). Plain INSERTs through psycopg's async pool, where the README
    names SQLAlchemy's async ORM (which would cost more). Its own database on the same
    PostgreSQL server and its own topic on the same broker.
  - `seed-design-await`: the same, answering only after the broker's delivery report (the
    strict reading; reported beside it, never in its place). Both seed variants use EventLens's
    own producer settings (idempotent, `acks=all`, linger 0.5 ms, lz4). Until 2026-12-07 the
    `seed-design` figures were this strict variant with a default-config producer (linger
    5 ms), which made the 8-connection ratios (5.39x, 5.56x) look narrower than the seed's
    design as described; those figures are kept in the report of that date.
  - `bare-asgi`: a bare ASGI app that reads the body, parses it with orjson and answers 202.
  - `fastapi-pydantic`: the same through FastAPI with pydantic validation of the seed's body.
  All run under uvicorn with uvloop and httptools. `eventlens up` extends uvicorn's httptools
  protocol (`eventlens/api/http_protocol.py`): a response's head and body leave in one write,
  and a plain ingest request is served from the parser's callbacks rather than through ASGI;
  the baselines use uvicorn as it comes.
- **Rounds**: every system is measured once per round and the rounds run one after another
  (3 in a full run, 1 in a quick one), so the baselines alternate with EventLens within the
  run; so are the modes of freshness, projection and disk, and replay. A figure is the median
  round's, shown with the lowest and highest; ratios are taken round by round (two runs of the
  same round); a target counts as met only at the low end (the lowest throughput or ratio, the
  highest p99, time or size). Reports before 2026-12-07 came from a single round; in those of
  2026-12-07 freshness, projection, replay and disk still did.
- **Open loop**: after its closed-loop loads, each EventLens mode gets the single-event body at
  a constant 50 % and 80 % of that round's best closed-loop figure (`bench/loadgen/paced.py`,
  256 connections), latency counted from each event's due time (coordinated omission
  included), and every acknowledged id found once in the store and in `event_logs`
  (`bench/ledger.py`; in Kafka mode the topic is read itself).
- **Exactly once, or no number**: every acknowledged event is checked once in the store and in
  `event_logs`, for every load, wrk's included. The wrk script keeps a ledger per thread: the id
  of every event it sends and every 2xx answer (EventLens's ingest answers name the accepted
  ids, one for a single event, one per accepted item of a batch); the harness merges them
  (`bench/loadgen/wrk.py`; an id acknowledged but never sent, or counts that differ from wrk's
  own, fail the run) and, once the read models caught up, looks every acknowledged id up
  (`bench/ledger.py`): found exactly once in the event store (in Kafka mode the topic itself,
  read from where it stood before the load) and exactly once in `event_logs`. An id sent but not
  acknowledged (in flight when wrk stopped) may be stored, at most once; an id of the load's
  runs that was never sent fails the check, and so does a batch answer that did not accept every
  event. The per-run count by the id prefix is kept as a cross-check, and is the check of the
  baselines (whose answers name no batch ids): `event_logs` and, in PostgreSQL mode, the event
  store (EventLens), both tables (seed design) or the app's own counter (echo baselines), each
  run's count between the events acknowledged with a 2xx and the events sent, the totals equal
  to the sum over runs (the Kafka topics counted in total), and no event rejected. Any failed
  request, or any mismatch, fails the benchmark and no figure is reported for it.
- **Memory**: every 0.5 s the harness sums RSS (and PSS) over the `eventlens up` process and,
  when embedded, the PostgreSQL processes it started (found through
  `<data-dir>/postgres/postmaster.pid`; they run as another user, not as children). Every
  `eventlens up` of the run is started in a memory cgroup of its own (`bench/scope.py`): a
  transient scope where a systemd user manager runs (`systemd-run --user --scope`), else a
  cgroup the harness makes below its own when the hierarchy is writable (a container run as
  root); every process the command starts, the embedded PostgreSQL's included, stays in it.
  The memory benchmark, which runs last, also reports each cgroup's peak as the kernel counted
  it (v2's `memory.peak`, v1's `memory.max_usage_in_bytes`); where no cgroup can be had it says
  so and the summed PSS is the only figure.
- **Rate limit**: all load comes from one address, so EventLens's per-client ingest limit is set
  far above what one machine can send (`EVENTLENS_INGEST_RATE_LIMIT=1000000000`); every
  request is still charged to its bucket.
- **Profiling**: `python -m bench.profiling [--system NAME] [--connections N] [--batch 100]`
  starts one system, loads it with wrk and records the server with py-spy (`pip install
  py-spy`), printing where the interpreter spends its time (by thread, own time, including
  callees) and what the database's backends are busy with (sampled from `pg_stat_activity`).
"""


def render(
    reports: Sequence[BenchmarkReport],
    machine: dict[str, str],
    profile: Profile,
    command: str,
    revision: str,
    started: datetime,
    elapsed_s: float,
    kept: str = "",
) -> str:
    """The report; `kept` is the hand-written section (see `decisions`), put back at the end."""
    out = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench`); do not edit by hand, except the last "
        'section, "Decisions and measurements", which is written by hand and kept as it is '
        "when the report is generated again. `python -m bench --quick` is a short smoke run, "
        f"`python -m bench NAME` runs one benchmark ({', '.join(r.name for r in reports)}), "
        "e.g. `python -m bench soak --minutes 10`. A full run takes hours: the soak alone runs "
        "3 times 10 minutes in each mode, and the first run builds the dataset of the queries "
        "and pages benchmarks (10,000,000 events, kept in `bench/cache/` for the next runs).",
        "",
        "## This run",
        "",
        markdown(
            ["", ""],
            [
                ["date", started.strftime("%Y-%m-%d %H:%M %Z")],
                ["command", f"`{command}`"],
                ["code", revision],
                [
                    "profile",
                    f"{profile.name}: {profile.duration_s} s measured per load, after a "
                    f"{profile.warmup_s} s warm-up ({profile.first_warmup_s} s before a "
                    f"system's first load); a new Kafka broker is warmed up for "
                    f"{profile.kafka_warmup_s} s before any system uses it",
                ],
                ["sizes", sizes(profile)],
                ["duration", f"{elapsed_s / 60:.1f} min"],
                *([k, v] for k, v in machine.items()),
            ],
        ),
        "",
        "## Targets",
        "",
        markdown(
            ["target", "wanted", "measured", "status"],
            [[t.target, t.wanted, t.measured, fmt.met(t.met)] for r in reports for t in r.targets],
        ),
        "",
    ]
    for report in reports:
        out += [f"## {report.title}", ""]
        out += [f"{note}\n" for note in report.notes]
        for section in report.sections:
            out += [f"### {section.title}", "", markdown(section.columns, section.rows), ""]
            out += [f"- {note}" for note in section.notes]
            out.append("")
    out += ["## Method", "", METHOD]
    for report in reports:
        if report.method:
            out += [f"### {report.title}", ""]
            out += [f"- {line}" for line in report.method]
            out.append("")
    if kept:
        out += [kept]
    return "\n".join(out)


def sizes(profile: Profile) -> str:
    return (
        f"freshness: {profile.freshness_probes} probes at {profile.freshness_rate:,} events/s; "
        f"projection: {profile.projection_events:,} events; replay: "
        f"{profile.replay_events:,} events; queries and pages: a dataset of "
        f"{profile.dataset_events:,} events over 30 days; queries: {profile.query_requests} "
        f"requests per query a round; pages: {profile.pages_seconds:g} s a load; disk: "
        f"{profile.disk_events:,} events; soak: {profile.soak_minutes:g} min a run sampled "
        f"every {profile.soak_sample_s:g} s; every benchmark but memory: {profile.rounds} "
        "round(s)"
    )


def console(reports: Sequence[BenchmarkReport]) -> str:
    out = []
    for report in reports:
        out.append(f"== {report.title}")
        out += report.notes
        for section in report.sections:
            out += ["", f"-- {section.title}", text(section.columns, section.rows)]
        out.append("")
    targets = [t for r in reports for t in r.targets]
    if targets:
        out += [
            "== Targets",
            text(
                ["target", "wanted", "measured", "status"],
                [[t.target, t.wanted, t.measured, fmt.met(t.met)] for t in targets],
            ),
        ]
    return "\n".join(out)
