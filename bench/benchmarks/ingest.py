"""Ingest throughput: events/s accepted and latency, EventLens in both modes and the
baselines, all loaded by the same wrk, on the same machine, in the same run."""

from __future__ import annotations

from bench import fmt
from bench.benchmarks.ingest_targets import peak, same_load, seed_figure, targets
from bench.core import BenchmarkReport, RunContext, Section, measured_or_failed
from bench.openloop import SHARES, open_loop
from bench.rounds import Rounds, merge, rate_spreads, ratio_spread
from bench.targets.registry import (
    BARE,
    EVENTLENS,
    FASTAPI,
    SEED,
    SEED_AWAIT,
    TARGETS,
    TargetFactory,
)
from bench.workload import (
    ATTEMPTS,
    MAX_OTHER_CORES,
    Measurement,
    WorkloadResult,
    run_workload,
    scenarios,
)

# Quoted for reference, not built or measured here (from the benchmark issue, #26).
GOATCOUNTER = (
    "For reference (not a baseline of this harness): side by side on the same 2-core machine, "
    "GoatCounter, a Go analytics server on PostgreSQL, stored about 7,400 hits/s at 8 "
    "connections, 8,300 at 32 and 8,900 at 128. It acknowledges before it stores (a memory "
    "buffer written every 10 s): after a SIGKILL it had lost up to the last 10 s of "
    "acknowledged hits, where EventLens lost none."
)

MEMORY_KEY = "memory"  # ctx.shared[MEMORY_KEY][system] -> {phase: MemoryPeak}
MEMORY_ROUNDS_KEY = "memory by round"  # ctx.shared[...][system] -> [{phase: MemoryPeak}]


def _measure(ctx: RunContext, factory: TargetFactory) -> WorkloadResult:
    with factory(ctx) as target:
        plan = scenarios(ctx.profile, target.batch)
        result = run_workload(target, ctx.profile, plan, ctx.scratch("ingest-ledgers"))
        best = peak(result.measurements, batch=False)
        if target.name in EVENTLENS and best is not None:
            rate, seconds = best.run.events_per_s, ctx.profile.duration_s
            result.open_loop = open_loop(target, rate, seconds, ctx.scratch("open-loop"))
        return result


class IngestBenchmark:
    name = "ingest"
    title = "Ingest throughput"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        rounds: Rounds = []
        failures: dict[str, str] = {}
        count = ctx.profile.rounds
        for index in range(count):
            results: dict[str, WorkloadResult] = {}
            for system, factory in TARGETS.items():
                if ctx.systems is not None and system not in ctx.systems:
                    continue
                print(f"[ingest] round {index + 1}/{count}: {system}", flush=True)
                result = measured_or_failed(failures, system, _measure, ctx, factory)
                if result is not None:
                    results[system] = result
            rounds.append(results)
        merged = {s: merge(rounds, s) for s in TARGETS if any(s in r for r in rounds)}
        ctx.shared.setdefault(MEMORY_KEY, {}).update(
            {s: r.memory for s, r in merged.items() if r.memory}
        )
        ctx.shared.setdefault(MEMORY_ROUNDS_KEY, {}).update(
            {s: [r[s].memory for r in rounds if s in r and r[s].memory] for s in merged}
        )
        report = BenchmarkReport(self.name, self.title)
        report.sections.append(throughput_section(merged, rounds, failures))
        report.sections.append(ratio_section(merged, rounds))
        report.sections.append(open_loop_section(rounds))
        report.targets = targets(merged, rounds)
        report.raw = {
            "failures": failures,
            "rounds": [
                [raw(m) for r in results.values() for m in r.measurements] for results in rounds
            ],
        }
        if failures:
            report.notes.append("FAILED: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
        return report


def raw(m: Measurement) -> dict[str, object]:
    return {
        "system": m.system,
        "load": m.scenario.label,
        "connections": m.scenario.connections,
        "events_per_s": round(m.run.events_per_s, 1),
        "requests_per_s": round(m.run.requests_per_s, 1),
        "p50_ms": m.run.p50_ms,
        "p90_ms": m.run.p90_ms,
        "p99_ms": m.run.p99_ms,
        "max_ms": m.run.max_ms,
        "duration_s": m.run.duration_s,
        "cpu_cores": {k: round(v, 3) for k, v in m.cpu.items()},
        "verified_events": m.verified_events,
        "settle_s": round(m.settle_s, 2),
        "ledger": m.ledger,
    }


def noisy(m: Measurement) -> bool:
    """Measured while processes outside the test were busy (after every retry)."""
    return m.cpu.get("other", 0.0) > MAX_OTHER_CORES


def throughput_section(
    results: dict[str, WorkloadResult], rounds: Rounds, failures: dict[str, str]
) -> Section:
    section = Section(
        "Throughput and latency",
        [
            "system",
            "load",
            "conns",
            "events/s",
            "events/s over the rounds",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "CPU app",
            "CPU db",
            "CPU broker",
            "CPU wrk",
            "CPU other",
            "events verified",
            "catch-up s",
        ],
    )
    for system, result in results.items():
        spreads = rate_spreads(rounds, system)
        for m in result.measurements:
            spread = spreads[(m.scenario.batch, m.scenario.connections)]
            section.rows.append(
                [
                    system,
                    m.scenario.label,
                    str(m.scenario.connections),
                    fmt.rate(m.run.events_per_s) + (" *" if noisy(m) else ""),
                    f"{fmt.rate(spread.low)}-{fmt.rate(spread.high)} ({spread.runs})",
                    fmt.rate(m.run.requests_per_s),
                    fmt.ms(m.run.p50_ms),
                    fmt.ms(m.run.p99_ms),
                    fmt.cores(m.cpu.get("app")),
                    fmt.cores(m.cpu.get("db")),
                    fmt.cores(m.cpu.get("broker")),
                    fmt.cores(m.cpu.get("loadgen")),
                    fmt.cores(m.cpu.get("other")),
                    f"{m.verified_events:,}",
                    f"{m.settle_s:.1f}",
                ]
            )
    for system, why in failures.items():
        section.rows.append([system, "FAILED", "", why[:200], *[""] * 11])
    section.notes += [
        "Every system is measured once per round, the rounds one after another, so the "
        "baselines and EventLens alternate within the run. A row is the system's median round "
        "for that load (the lower middle one of an even number); events/s over the rounds: "
        "the lowest and highest, and how many rounds.",
        "events/s: events acknowledged (2xx) per second of the measured run; p50/p99: wrk's "
        "latency percentiles (closed loop, one request in flight per connection).",
        "CPU columns: cores used during the measured run (1.00 = one core busy) by the server "
        "process, its PostgreSQL, the Kafka broker, wrk itself, and other processes on the "
        f"machine (not part of the test). A load starts once those use under {MAX_OTHER_CORES} "
        f"cores (or after 2 minutes) and is measured again, up to {ATTEMPTS} times, if they used "
        "more meanwhile; the quietest attempt is kept, and * marks a figure still measured "
        "while they used more (a quick run waits at most 5 s and measures once). All of these "
        "share the cores listed above.",
        "events verified: for EventLens, the acknowledged events of the warm-up and measured "
        "runs, each found exactly once in the store (in Kafka mode the topic itself) and once "
        "in `event_logs`: wrk's script records every id it sends and every 2xx answer (which "
        "names the ids accepted), and `bench/ledger.py` looks each up (a sent but "
        "unacknowledged id may be stored at most once; an id of the runs' tags that was never "
        "sent fails the check, as does a batch answer that did not accept every event). The "
        "per-run count by tag is kept as a cross-check. For a baseline: its events counted per "
        "run tag (between acknowledged and sent). catch-up s: how long the checks took after "
        "the kept attempt ended (waiting for the read models, then counting and looking the ids"
        " up; a baseline's 0.5 s is the check's fixed settling pause).",
    ]
    return section


def ratio_section(results: dict[str, WorkloadResult], rounds: Rounds) -> Section:
    bases = (
        (BARE, "vs bare ASGI", same_load),
        (FASTAPI, "vs FastAPI+pydantic", same_load),
        (SEED, "vs seed design (produce + poll)", seed_figure),
        (SEED_AWAIT, "vs seed design (await delivery)", seed_figure),
    )
    section = Section(
        "EventLens against the baselines (same load, same machine, same run)",
        ["EventLens mode", "load", "conns", "events/s", *(title for _, title, _ in bases)],
    )
    for system in EVENTLENS:
        if system not in results:
            continue
        ratios = [ratio_spread(rounds, system, base, pick) for base, _, pick in bases]
        for m in results[system].measurements:
            key = (m.scenario.batch, m.scenario.connections)
            row = [system, m.scenario.label, str(key[1]), fmt.rate(m.run.events_per_s)]
            for by_load in ratios:
                spread = by_load.get(key)
                row.append("n/a" if spread is None else spread.text(fmt.ratio))
            section.rows.append(row)
    section.notes += [
        "Each ratio is taken round by round (EventLens's run against the baseline's run of the "
        "same round, same endpoint, same connections): the median of the rounds, then the "
        "lowest and highest. The seed design has no batch endpoint, so EventLens batch figures "
        "are set against the seed's best single-event figure of the same round.",
        "seed design (produce + poll): the seed's README as it reads, the event handed to the "
        "Kafka producer after the commit and the request answered without waiting for the "
        "broker's delivery report; (await delivery): the strict variant, answered only after "
        "the delivery report. Both use EventLens's producer settings.",
        GOATCOUNTER,
    ]
    return section


def open_loop_section(rounds: Rounds) -> Section:
    section = Section(
        "Open loop: a constant rate at 50 % and 80 % of the closed-loop peak",
        [
            "system",
            "round",
            "share of peak",
            "rate wanted",
            "events/s",
            "p50 ms",
            "p99 ms",
            "p99.9 ms",
            "closed-loop peak",
            "ids found once",
        ],
    )
    for index, results in enumerate(rounds, start=1):
        for system, result in results.items():
            for r in result.open_loop:
                section.rows.append(
                    [
                        system,
                        str(index),
                        f"{r['share']:.0%}",
                        fmt.rate(r["rate_wanted"]),
                        fmt.rate(r["rate_achieved"]),
                        fmt.ms(r["p50_from_due_ms"]),
                        fmt.ms(r["p99_from_due_ms"]),
                        fmt.ms(r["p999_from_due_ms"]),
                        fmt.rate(r["peak"]),
                        f"{r['checked']:,}",
                    ]
                )
    shares = " and ".join(f"{s:.0%}" for s in SHARES)
    section.notes.append(
        "After a system's closed-loop loads, `bench/loadgen/paced.py` sends the single-event "
        f"body at {shares} of that round's best single-event figure, on an open schedule over "
        "256 connections, for the measured run's length. Latency is counted from the time "
        "each event was due, so an event held back by a slow answer counts its wait (wrk2's "
        "correction of coordinated omission); events/s is what was acknowledged (a Python "
        "sender, so at high rates it may fall short of the rate wanted: compare the two). "
        "Every acknowledged id is then found once in the store (for Kafka, the topic itself) "
        "and in `event_logs`."
    )
    return section
