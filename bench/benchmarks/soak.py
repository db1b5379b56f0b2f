"""Soak: `eventlens up` under tracker-like traffic at 1,000 events/s for 30 minutes, with
dashboard users and GraphQL subscriptions, sampled every minute; memory, file descriptors,
connections and p99 must stay flat, and every acknowledged event must be stored exactly once.

    python -m bench soak [--minutes 30] [--system eventlens-postgres]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

import psutil
import psycopg

from bench import fmt, soak_clients
from bench.core import (
    PYTHONPATH,
    ROOT,
    BenchmarkFailure,
    BenchmarkReport,
    RunContext,
    Section,
    TargetCheck,
    measured_or_failed,
)
from bench.latency import percentile
from bench.ledger import LedgerCheck, check_ledger
from bench.loadgen.paced import INTERVAL_MARKER, MARKER
from bench.loadgen.wrk import new_tag
from bench.services.eventlens import SEED_SCHEMA, login
from bench.targets import Target
from bench.targets.eventlens import KafkaStoreCounter
from bench.targets.registry import EVENTLENS_KAFKA, EVENTLENS_POSTGRES, TARGETS

MODES = (EVENTLENS_POSTGRES, EVENTLENS_KAFKA)
RSS_GROWTH_MAX = 0.10
P99_DRIFT_MAX = 1.5  # the last third's median p99 against the first third's
FLAT_SLACK = 0.10  # fds and connections: the last sample within 10 % (+2) of the first
READERS = 2
RATE = 1000  # events/s
RATE_SHORTFALL = 0.95  # the sender must reach this share of RATE
CONNECTIONS = 64  # enough that a slow answer does not hold the schedule back
SUBSCRIPTIONS = 3


@dataclass
class Sample:
    t_s: float
    app_rss: int  # the EventLens processes (Python), summed
    tree_pss: int  # the same and, when embedded, PostgreSQL's processes, PSS summed
    fds: int  # open file descriptors of the EventLens processes
    connections: int  # client backends in pg_stat_activity (all databases of the server)
    ingest_p99_ms: float | None = None  # of the events whose send was due in the interval
    ingest_acknowledged: int = 0
    read_p99_ms: float | None = None  # of the dashboard requests sent in the interval
    reads: int = 0


@dataclass
class SoakRun:
    mode: str
    minutes: float
    samples: list[Sample]
    ingest: dict[str, Any]
    readers: dict[str, Any]
    ledger: LedgerCheck
    criteria: dict[str, tuple[bool, str]] = field(default_factory=dict)


def _memory(pids: list[int]) -> tuple[int, int, int]:
    rss = pss = fds = 0
    for pid in pids:
        try:
            process = psutil.Process(pid)
            info = process.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
            fds += process.num_fds()
        except psutil.Error:
            continue
    return rss, pss, fds


def _connections(database_url: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
        ).fetchone()
    return int(row[0]) if row else 0


def _sample(target: Target, t_s: float) -> Sample:
    app = target.memory_groups["app"]()
    db = target.memory_groups["db"]() if "db" in target.memory_groups else []
    app_rss, app_pss, fds = _memory(app)
    _, db_pss, _ = _memory(db)
    assert target.database_url is not None
    return Sample(t_s, app_rss, app_pss + db_pss, fds, _connections(target.database_url))


def _sender(
    target: Target, tag: str, ledger: Path, seconds: float, interval: float, log: Path
) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "bench.loadgen.paced", target.ingest_url, "--tracker"]
    args += ["--rate", str(RATE), "--tag", tag, "--container", target.container_id]
    args += [
        "--connections",
        str(CONNECTIONS),
        "--reconnect-share",
        "0.02",
        "--ledger",
        str(ledger),
    ]
    args += ["--duration", str(seconds), "--interval", str(interval)]
    env = {**os.environ, "PYTHONPATH": PYTHONPATH}
    with log.open("w") as err:
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True
        )


def measure(ctx: RunContext, mode: str) -> SoakRun:
    profile = ctx.profile
    minutes, interval = ctx.options.get("minutes", profile.soak_minutes), profile.soak_sample_s
    seconds = minutes * 60
    scratch = ctx.scratch("soak")
    with TARGETS[mode](ctx) as target:
        token = login(target.base_url)
        sites = soak_clients.describe_sites(
            target.container_id, str(SEED_SCHEMA["name"]), SEED_SCHEMA["properties"]
        )
        tag = new_tag()
        ledger = scratch / f"{mode}-{tag}.ledger"
        sender = _sender(target, tag, ledger, seconds, interval, scratch / f"{mode}-paced.log")
        thread, stop, log = soak_clients.start(
            target.base_url, token, sites, READERS, SUBSCRIPTIONS
        )
        started = time.monotonic()
        samples: list[Sample] = []
        try:
            for k in range(1, int(seconds // interval) + 1):
                time.sleep(max(0.0, started + k * interval - time.monotonic()))
                target_pids = target.memory_groups["app"]()
                if not target_pids or sender.poll() not in (None, 0):
                    raise BenchmarkFailure(f"{mode}: the platform or the sender stopped at {k}")
                sample = _sample(target, round(time.monotonic() - started, 1))
                reads = soak_clients.answers_in(
                    log, started + (k - 1) * interval, started + k * interval
                )
                sample.read_p99_ms, sample.reads = (
                    (percentile(reads, 99) if reads else None),
                    len(reads),
                )
                samples.append(sample)
                print(
                    f"  {sample.t_s:6.0f} s  RSS {fmt.mb(sample.app_rss)} MB  PSS "
                    f"{fmt.mb(sample.tree_pss)} MB  fds {sample.fds}  conns {sample.connections}"
                    f"  reads {sample.reads} p99 {sample.read_p99_ms or 0:.1f} ms",
                    flush=True,
                )
            out, _ = sender.communicate(timeout=120)
        finally:
            stop.set()
            thread.join(60)
            if sender.poll() is None:
                sender.send_signal(signal.SIGTERM)
                sender.communicate(timeout=60)
        lines = out.splitlines()
        result = next(
            (json.loads(x.removeprefix(MARKER)) for x in lines if x.startswith(MARKER)), None
        )
        if result is None:
            raise BenchmarkFailure(f"{mode}: the sender printed no result")
        intervals = [
            json.loads(x.removeprefix(INTERVAL_MARKER))
            for x in lines
            if x.startswith(INTERVAL_MARKER)
        ]
        for sample, line in zip(samples, intervals, strict=False):
            sample.ingest_p99_ms, sample.ingest_acknowledged = line["p99_ms"], line["answered"]
        target.counter.wait_settled()
        kafka = None
        if isinstance(target.counter, KafkaStoreCounter):
            kafka = (target.counter.broker, target.counter.topic)
        assert target.database_url is not None
        checked = check_ledger(target.database_url, ledger, tag, kafka)
    readers = {
        "errors": log.errors,
        "pushes": log.pushes,
        "answers": len(log.answers),
        "p99_ms_by_page": {
            p: round(percentile(v, 99), 1) for p, v in soak_clients.by_page(log).items()
        },
    }
    run = SoakRun(mode, minutes, samples, result, readers, checked)
    judge(run)
    return run


def _flat(values: list[int]) -> tuple[bool, str]:
    first, last = values[0], values[-1]
    return last <= first * (1 + FLAT_SLACK) + 2, f"{first} then {last} (max {max(values)})"


def judge(run: SoakRun) -> None:
    """The pass criteria, against the first sample (taken after the first interval's load)."""
    samples = run.samples
    if len(samples) < 2:
        raise BenchmarkFailure(f"{run.mode}: {len(samples)} samples; a soak needs two or more")
    first, last = samples[0].app_rss, samples[-1].app_rss
    growth = (last - first) / first
    run.criteria["RSS growth"] = (
        growth < RSS_GROWTH_MAX,
        f"{growth * 100:+.1f} % ({fmt.mb(first)} to {fmt.mb(last)} MB)",
    )
    run.criteria["file descriptors flat"] = _flat([s.fds for s in samples])
    run.criteria["connections flat"] = _flat([s.connections for s in samples])
    p99s = [s.ingest_p99_ms for s in samples if s.ingest_p99_ms is not None]
    third = max(1, len(p99s) // 3)
    early, late = median(p99s[:third]), median(p99s[-third:])
    run.criteria["ingest p99 stable"] = (
        late <= P99_DRIFT_MAX * early,
        f"{fmt.ms(early)} ms in the first third, {fmt.ms(late)} ms in the last",
    )
    achieved = float(run.ingest.get("rate_achieved", 0))
    run.criteria["rate held"] = (
        achieved >= RATE_SHORTFALL * RATE,
        f"{achieved:,.0f} events/s acknowledged over the run",
    )
    errors = run.ingest.get("errors") or {}
    run.criteria["no failed request"] = (
        not errors and not run.readers["errors"],
        f"ingest {sum(errors.values())}, dashboard {sum(run.readers['errors'].values())}",
    )
    run.criteria["every acknowledged event stored once"] = (run.ledger.ok, run.ledger.summary())


class SoakBenchmark:
    name = "soak"
    title = "Soak: tracker traffic with dashboards and subscriptions"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        runs: list[SoakRun] = []
        failures: dict[str, str] = {}
        for mode in MODES:
            if ctx.systems is not None and mode not in ctx.systems:
                continue
            print(f"[soak] {mode}", flush=True)
            run = measured_or_failed(failures, mode, measure, ctx, mode)
            if run is not None:
                runs.append(run)
                for name, (ok, detail) in run.criteria.items():
                    print(f"  {'pass' if ok else 'FAIL'}: {name}: {detail}", flush=True)
        report = BenchmarkReport(self.name, self.title)
        for run in runs:
            report.sections.append(_section(run))
            for name, (ok, detail) in run.criteria.items():
                report.targets.append(
                    TargetCheck(f"{run.mode}: soak, {name}", _wanted(name), detail, ok)
                )
            if not run.ledger.ok:
                failures[run.mode] = run.ledger.summary()
        report.raw = {
            "failures": failures,
            "runs": [
                {
                    "mode": r.mode,
                    "minutes": r.minutes,
                    "samples": [asdict(s) for s in r.samples],
                    "ingest": r.ingest,
                    "readers": r.readers,
                    "ledger": r.ledger.summary(),
                }
                for r in runs
            ],
        }
        if failures:
            report.notes.append("FAILED: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
        report.method = METHOD
        return report


def _wanted(name: str) -> str:
    return {
        "RSS growth": f"< {RSS_GROWTH_MAX * 100:.0f} %",
        "file descriptors flat": f"last <= first + {FLAT_SLACK * 100:.0f} % + 2",
        "connections flat": f"last <= first + {FLAT_SLACK * 100:.0f} % + 2",
        "ingest p99 stable": f"last third <= {P99_DRIFT_MAX}x first third",
        "rate held": f">= {RATE_SHORTFALL * RATE:,.0f} events/s",
    }.get(name, "yes")


def _section(run: SoakRun) -> Section:
    section = Section(
        f"{run.mode}, {run.minutes:g} min at "
        f"{float(run.ingest.get('rate_achieved', 0)):,.0f} events/s",
        [
            "t s",
            "app RSS MB",
            "tree PSS MB",
            "fds",
            "connections",
            "ingest acked",
            "ingest p99 ms",
            "dashboard requests",
            "dashboard p99 ms",
        ],
    )
    for s in run.samples:
        section.rows.append(
            [
                f"{s.t_s:.0f}",
                fmt.mb(s.app_rss),
                fmt.mb(s.tree_pss),
                str(s.fds),
                str(s.connections),
                f"{s.ingest_acknowledged:,}",
                "" if s.ingest_p99_ms is None else fmt.ms(s.ingest_p99_ms),
                f"{s.reads:,}",
                "" if s.read_p99_ms is None else fmt.ms(s.read_p99_ms),
            ]
        )
    pages = ", ".join(f"{p} {fmt.ms(v)} ms" for p, v in run.readers["p99_ms_by_page"].items())
    section.notes += [
        f"Ingest over the whole run: {run.ingest.get('acknowledged', 0):,} events acknowledged "
        f"of {run.ingest.get('sent', 0):,} sent; p99 {run.ingest.get('p99_ms')} ms from the "
        f"send, {run.ingest.get('p99_from_due_ms')} ms from the schedule.",
        f"Dashboard: {run.readers['answers']:,} answers, p99 by page: {pages}; "
        f"{run.readers['pushes']:,} subscription pushes.",
        f"Per-event check: {run.ledger.summary()}.",
    ]
    failures = {**(run.ingest.get("errors") or {}), **run.readers["errors"]}
    if failures:
        section.notes.append(
            "Failed requests, by reason: "
            + "; ".join(f"{count} x {why}" for why, count in failures.items())
            + "."
        )
    return section


METHOD = [
    "`eventlens up` in each mode (embedded PostgreSQL; or the Kafka event store), set up as in "
    "the ingest benchmark. `bench/loadgen/paced.py --tracker` sends tracker requests "
    "(`POST /api/events/batch`, one event each, as `tracker/t.js` sends a page view: page "
    "views of several pages, engagement, outbound clicks and some of the seed schema's types; "
    "20,000 visitors, each with its own browser's User-Agent; referrers and UTM tags on "
    "landing pages; the current time) at 1,000 events/s on an open schedule over up to "
    f"{CONNECTIONS} connections, 2 % of requests on a new connection; the run passes only if "
    f"it acknowledged at least {RATE_SHORTFALL * 100:.0f} % of that rate.",
    f"Meanwhile {READERS} dashboard users open pages (`bench/dashboard.py`: the overview, a "
    "site's dashboard and the pipeline page, each with every request the dashboard sends for "
    "it, ranges and filters drawn from a seeded distribution) one after another, pausing 1-3 s "
    f"between pages, and {SUBSCRIPTIONS} GraphQL WebSockets hold the dashboard's "
    "subscriptions (`liveStats`, `newEvents`, `currentVisitors`).",
    "Every interval (a minute; 20 s in a quick run) the harness samples the summed RSS and "
    "open file descriptors of the EventLens processes, the summed PSS of those and the "
    "embedded PostgreSQL's processes, and the client connections in `pg_stat_activity`; "
    "the sender reports that interval's ingest p99 (from the time each event was due), the "
    "readers theirs.",
    f"Pass: the EventLens processes' RSS grows less than {RSS_GROWTH_MAX * 100:.0f} % from "
    "the first sample (taken after the first interval, so start-up is not counted) to the "
    f"last; file descriptors and connections end within {FLAT_SLACK * 100:.0f} % (+2) of the "
    f"first sample; the median ingest p99 of the last third of intervals is at most "
    f"{P99_DRIFT_MAX}x that of the first third; no request failed; and every event id the "
    "sender saw acknowledged is found exactly once in the store (PostgreSQL's log, or the "
    "Kafka topic read from its first offset) and in `event_logs` (`bench/ledger.py`).",
]
