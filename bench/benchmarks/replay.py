"""Replay: rebuild every read model from the whole history with `eventlens replay` (PostgreSQL
event store), after the live worker projected it; the rebuilt read models must be identical."""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import psycopg

from bench import fmt
from bench.core import ROOT, BenchmarkFailure, BenchmarkReport, RunContext, Section, TargetCheck
from bench.history import (
    Fill,
    History,
    Projected,
    eventlens_command,
    eventlens_env,
    fill_postgres,
    postgres_progress,
    register_site,
    snapshot,
    verify_projected,
    wait_projected,
    worker_process,
)
from bench.procstats import CpuMeter, other_cores, wait_for_quiet
from bench.rounds import spread
from bench.services.postgres import PostgresServer, postgres_server
from bench.workload import MAX_OTHER_CORES

REPLAY_MAX_S = 40.0  # for 1,000,000 events
TARGET_EVENTS = 1_000_000
PROGRESS = re.compile(r"^(\w+): ([\d,]+)/([\d,]+) events \((\d+)%\) ([\d,]+) ev/s")


@dataclass(frozen=True)
class ReplayRun:
    events: int
    fill: Fill
    live: Projected
    replay_s: float
    replay_cpu: dict[str, float]
    reported: dict[str, dict[str, int]]  # per projection: done, total, rate (its own lines)
    progress_lines: int
    compared: int  # values compared before/after

    @property
    def extrapolated_s(self) -> float:
        return self.replay_s * TARGET_EVENTS / self.events


def run_replay(url: str, scratch: Any) -> tuple[float, list[str]]:
    """`eventlens replay` (every projection) as its own process; its output is not a
    terminal, so it prints progress lines. Returns the wall time and those lines."""
    started = time.monotonic()
    done = subprocess.run(
        eventlens_command("replay", data_dir=scratch / "data"),
        cwd=ROOT,
        env=eventlens_env(url),
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    elapsed = time.monotonic() - started
    (scratch / "replay.log").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        raise BenchmarkFailure(
            f"eventlens replay exited with {done.returncode}:\n{done.stderr[-3000:]}"
        )
    return elapsed, (done.stdout + done.stderr).splitlines()


def parse_progress(lines: list[str]) -> tuple[dict[str, dict[str, int]], int]:
    """The last progress line of each projection, and how many progress lines there were."""
    last: dict[str, dict[str, int]] = {}
    count = 0
    for line in lines:
        match = PROGRESS.match(line.strip())
        if match:
            count += 1
            name, done, total, _, rate = match.groups()
            last[name] = {
                "done": int(done.replace(",", "")),
                "total": int(total.replace(",", "")),
                "rate": int(rate.replace(",", "")),
            }
    return last, count


def compare(before: dict[str, Any], after: dict[str, Any]) -> int:
    differ = {k: (before.get(k), after.get(k)) for k in before if before.get(k) != after.get(k)}
    if differ or before.keys() != after.keys():
        raise BenchmarkFailure(f"the rebuilt read models differ from the live ones: {differ}")
    return len(before)


def measure(ctx: RunContext, n: int) -> ReplayRun:
    pg: PostgresServer = ctx.service("postgres", postgres_server)
    url = pg.create_database("bench_replay")
    scratch = ctx.fresh_dir("replay")
    try:
        container_id = register_site(url)
        history = History()
        print(f"  filling the PostgreSQL event store with {n:,} events", flush=True)
        fill = fill_postgres(url, n, container_id, history)
        print(f"  filled in {fill.seconds:.1f}s ({fmt.rate(fill.rate)} events/s)", flush=True)
        with psycopg.connect(url, autocommit=True) as conn:
            progress = postgres_progress(conn)
            with worker_process(url, scratch) as worker:
                live = wait_projected(worker, progress, stall_timeout=120)
                print(
                    f"  live worker projected them in {live.wall_s:.1f}s from launch "
                    f"({fmt.rate(live.rate)} events/s once running)",
                    flush=True,
                )
                verify_projected(conn, history)
                before = snapshot(conn)
                # The live worker keeps running (idle) through the replay, as in production.
                groups = {"db": pg.pids, "worker": worker.pids}
                wait_for_quiet(groups, MAX_OTHER_CORES)
                meter = CpuMeter(groups, reaped="replay")
                meter.start()
                print("  eventlens replay", flush=True)
                replay_s, lines = run_replay(url, scratch)
                cpu = meter.stop()
                worker.check_alive()
                time.sleep(1.0)  # anything the live worker would (wrongly) apply after the swap
                done, head = progress()
                if done != head:
                    raise BenchmarkFailure(
                        f"after the replay the events projection is at {done:,}, head {head:,}"
                    )
                after = snapshot(conn)
            compared = compare(before, after)
            verify_projected(conn, history)
        reported, count = parse_progress(lines)
        # Earlier revisions' events projection also read the catalog (to create schema
        # tables); the current one reads the tracked events alone.
        catalog = reported.get("catalog", {}).get("done", 0)
        events_line = reported.get("events")
        if events_line is None or events_line["done"] not in (n, n + catalog):
            raise BenchmarkFailure(
                f"replay's progress lines do not show {n:,} events (+{catalog} catalog "
                f"records): {reported}"
            )
        cpu["other"] = other_cores(cpu)
        return ReplayRun(n, fill, live, replay_s, cpu, reported, count, compared)
    finally:
        pg.drop_database(url)


class ReplayBenchmark:
    name = "replay"
    title = "Replay: rebuilding every read model"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        n = ctx.profile.replay_events
        report = BenchmarkReport(self.name, self.title)
        runs: list[ReplayRun] = []
        for index in range(ctx.profile.rounds):
            print(
                f"[replay] round {index + 1}/{ctx.profile.rounds}: eventlens-postgres, "
                f"{n:,} events",
                flush=True,
            )
            try:
                run = measure(ctx, n)
            except BenchmarkFailure as error:
                print(f"  FAILED: {error}", flush=True)
                report.notes.append(f"FAILED: {error}")
                return report
            print(
                f"  replay {run.replay_s:.1f}s ({fmt.rate(n / run.replay_s)} events/s); "
                f"{run.compared} values identical before and after",
                flush=True,
            )
            runs.append(run)
        report.sections.append(_section(runs))
        seconds = spread([r.replay_s for r in runs])
        worst = max(runs, key=lambda r: r.replay_s)
        measured = f"{seconds.text(lambda v: f'{v:.1f}')} s for {n:,} events"
        if n != TARGET_EVENTS:
            measured += f" (slowest {worst.extrapolated_s:.0f} s scaled to 1,000,000)"
        report.targets.append(
            TargetCheck(
                "eventlens-postgres: `eventlens replay` of every read model, 1M events",
                f"<= {REPLAY_MAX_S:.0f} s",
                measured,
                worst.extrapolated_s <= REPLAY_MAX_S,
            )
        )
        report.raw = {
            "events": n,
            "runs": [
                {
                    "round": index + 1,
                    "fill_s": round(r.fill.seconds, 2),
                    "live_wall_s": round(r.live.wall_s, 2),
                    "live_events_per_s": round(r.live.rate, 1),
                    "replay_s": round(r.replay_s, 2),
                    "replay_cpu_cores": {k: round(v, 3) for k, v in r.replay_cpu.items()},
                    "replay_progress": r.reported,
                    "values_compared": r.compared,
                }
                for index, r in enumerate(runs)
            ],
        }
        report.method = [
            f"A fresh database on the benchmarks' PostgreSQL server; the seed's schema and an "
            f"adaptor registered in the catalog; {n:,} tracked events of the seed's site "
            "(as in the projection benchmark) appended straight into the PostgreSQL event "
            "store; `eventlens worker` (its own process) projects them all.",
            "Then the read models are summarised: for every read-model table its row count and "
            "an order-independent checksum of every row's full text "
            "(`sum(hashtextextended(t::text, 0))`), the sums of the rollups, and "
            "`md5(string_agg(event_id::text, ',' ORDER BY event_id))` over `event_logs`. "
            "`eventlens replay` runs as its own process (output not a terminal, so it prints "
            "progress lines) while the live worker keeps running; after it, the same summary "
            "must be identical, the live worker still at the head, and `event_logs` and every "
            "rollup must still hold exactly the events generated. Otherwise the benchmark fails.",
        ]
        return report


def _section(runs: list[ReplayRun]) -> Section:
    section = Section(
        "PostgreSQL event store, one database",
        [
            "round",
            "events",
            "fill s",
            "fill events/s",
            "live worker s",
            "live events/s",
            "replay s",
            "replay events/s",
            "CPU replay",
            "CPU live worker",
            "CPU db",
            "CPU other",
            "read models identical",
        ],
    )
    for index, run in enumerate(runs):
        other = run.replay_cpu.get("other", 0.0)
        section.rows.append(
            [
                str(index + 1),
                f"{run.events:,}",
                f"{run.fill.seconds:.1f}",
                fmt.rate(run.fill.rate),
                f"{run.live.wall_s:.1f}",
                fmt.rate(run.live.rate),
                f"{run.replay_s:.1f}" + (" *" if other > MAX_OTHER_CORES else ""),
                fmt.rate(run.events / run.replay_s),
                fmt.cores(run.replay_cpu.get("replay")),
                fmt.cores(run.replay_cpu.get("worker")),
                fmt.cores(run.replay_cpu.get("db")),
                fmt.cores(other),
                f"yes ({run.compared} values)",
            ]
        )
    last = runs[-1]
    per_projection = ", ".join(
        f"{name} {v['done']:,} events at {v['rate']:,} ev/s" for name, v in last.reported.items()
    )
    section.notes += [
        "Rounds one after another, each on a database of its own; the target is judged on the "
        "slowest round.",
        "PostgreSQL mode only (the replay reads the same store interface in Kafka mode; "
        "its cost is the projection's, measured in both modes by the projection benchmark).",
        "fill: appending the events straight into the store (`PostgresEventStore`, 5,000 "
        "per append). live worker: `eventlens worker` from launch until `events` reached "
        "the head (events/s once running). replay: wall time of the `eventlens replay` "
        "process (all projections: catalog, events, rejected_events), start-up and the "
        "swaps included, while the live worker kept running idle beside it.",
        f"The last round's replay progress lines ({last.progress_lines} of them) ended with: "
        f"{per_projection}.",
        "CPU: cores used during the replay by the replay process, the idle live worker, "
        f"PostgreSQL, and other processes (* above {MAX_OTHER_CORES}).",
    ]
    return section
