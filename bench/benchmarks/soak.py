"""Soak: `eventlens up` under tracker-like traffic at 1,000 events/s, with dashboard users and
GraphQL subscriptions, sampled every minute; memory, file descriptors, connections and p99 must
stay flat, and every acknowledged event must be stored exactly once. Each mode runs once a
round (3 runs of 10 minutes in a full run), the modes in turn; a criterion is met only if it
is met in every run.

    python -m bench soak [--minutes 10] [--system eventlens-postgres]
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict
from functools import partial
from pathlib import Path

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
)
from bench.latency import percentile
from bench.ledger import check_ledger
from bench.loadgen.paced import INTERVAL_MARKER, MARKER
from bench.loadgen.wrk import new_tag
from bench.rounds import each_round, median_run
from bench.services.eventlens import SEED_SCHEMA, login
from bench.soak_judge import (
    FLAT_SLACK,
    P99_DRIFT_MAX,
    RATE,
    RATE_SHORTFALL,
    RSS_GROWTH_MAX,
    Sample,
    SoakRun,
    judge,
    over_rounds,
    wanted,
)
from bench.targets import Target
from bench.targets.eventlens import KafkaStoreCounter
from bench.targets.registry import EVENTLENS_KAFKA, EVENTLENS_POSTGRES, TARGETS

MODES = (EVENTLENS_POSTGRES, EVENTLENS_KAFKA)
READERS = 2
CONNECTIONS = 64  # enough that a slow answer does not hold the schedule back
SUBSCRIPTIONS = 3


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
    problem = judge(run)
    if problem is not None:
        raise BenchmarkFailure(problem)
    return run


class SoakBenchmark:
    name = "soak"
    title = "Soak: tracker traffic with dashboards and subscriptions"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        measures = {mode: partial(measure, ctx, mode) for mode in MODES}
        by_mode, failures = each_round(ctx, "soak", measures, _describe)
        report = BenchmarkReport(self.name, self.title)
        for mode, runs in by_mode.items():
            for name in runs[0].criteria:
                ok, measured = over_rounds(runs, name)
                report.targets.append(
                    TargetCheck(f"{mode}: soak, {name}", wanted(name), measured, ok)
                )
            report.sections.append(_runs(mode, runs))
            report.sections.append(_section(median_run(runs, lambda r: r.p99_drift), len(runs)))
            broken = [run.ledger.summary() for run in runs if not run.ledger.ok]
            if broken:  # beside a later round's failure, if there was one
                failures[mode] = "; ".join([*filter(None, [failures.get(mode)]), *broken])
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
                for runs in by_mode.values()
                for r in runs
            ],
        }
        if failures:
            report.notes.append("FAILED: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
        report.method = METHOD
        return report


def _describe(run: SoakRun) -> str:
    return "\n  ".join(
        f"{'pass' if c.ok else 'FAIL'}: {name}: {c.detail}" for name, c in run.criteria.items()
    )


def _runs(mode: str, runs: list[SoakRun]) -> Section:
    """Every run of a mode in one table, in the order they ran."""
    section = Section(
        f"{mode}: {len(runs)} run(s) of {runs[0].minutes:g} min",
        [
            "run",
            "events/s",
            "app RSS MB, first to last",
            "ingest p99, first third and last",
            "dashboard answers",
            "failed requests",
            "every event stored once",
        ],
    )
    for index, run in enumerate(runs):
        c = run.criteria
        section.rows.append(
            [
                str(index + 1),
                f"{float(run.ingest.get('rate_achieved', 0)):,.0f}",
                c["RSS growth"].detail,
                f"{c['ingest p99 stable'].detail} ({c['ingest p99 stable'].figure or 0:.2f}x)",
                f"{run.readers['answers']:,}",
                c["no failed request"].detail,
                "yes" if run.ledger.ok else "NO",
            ]
        )
    return section


def _section(run: SoakRun, runs: int) -> Section:
    which = f", the median of {runs} runs by ingest p99 drift" if runs > 1 else ""
    section = Section(
        f"{run.mode}{which}: every sample of {run.minutes:g} min at "
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
    f"it acknowledged at least {RATE_SHORTFALL * 100:.0f} % of that rate. Each mode runs "
    "once a round, on a new `eventlens up`, the modes in turn (3 rounds of 10 minutes a run "
    "in a full run; `--minutes` sets a run's length).",
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
    "Kafka topic read from its first offset) and in `event_logs` (`bench/ledger.py`). A "
    "criterion is met only if it is met in every run; its figure is the median run's, with "
    "the lowest and highest beside it, and every sample of the median run (by the ingest p99's "
    "drift) is shown.",
]
