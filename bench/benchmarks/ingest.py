"""Ingest throughput: events/s accepted and latency, EventLens in both modes and the
baselines, all loaded by the same wrk, on the same machine, in the same run."""

from __future__ import annotations

from bench import fmt
from bench.core import (
    BenchmarkReport,
    RunContext,
    Section,
    TargetCheck,
    measured_or_failed,
)
from bench.services.eventlens import INGEST_RATE_LIMIT
from bench.targets.registry import BARE, EVENTLENS, FASTAPI, SEED, TARGETS, TargetFactory
from bench.workload import (
    ATTEMPTS,
    MAX_OTHER_CORES,
    Measurement,
    WorkloadResult,
    run_workload,
    scenarios,
)

SINGLE_MIN = 10_000  # events/s, single-event ingest at the best concurrency
SINGLE_VS_BARE = 0.5  # of the bare ASGI echo's best
P99_MAX_MS = 50.0  # at the concurrency of peak throughput
BATCH_MIN = 50_000  # events/s
VS_SEED = 5.0  # every ingest figure, against the seed design

# All load comes from one address, so the per-client ingest limit is raised for every run;
# the Targets table says so beside each throughput target.
RATE_LIMIT_NOTE = f"EVENTLENS_INGEST_RATE_LIMIT={INGEST_RATE_LIMIT:,}"

MEMORY_KEY = "memory"  # ctx.shared[MEMORY_KEY][system] -> {phase: MemoryPeak}


def peak(measurements: list[Measurement], batch: bool) -> Measurement | None:
    chosen = [m for m in measurements if m.scenario.batch == batch]
    return max(chosen, key=lambda m: m.run.events_per_s, default=None)


def at(measurements: list[Measurement], batch: bool, connections: int) -> Measurement | None:
    for m in measurements:
        if m.scenario.batch == batch and m.scenario.connections == connections:
            return m
    return None


def _measure(ctx: RunContext, factory: TargetFactory) -> WorkloadResult:
    with factory(ctx) as target:
        return run_workload(target, ctx.profile, scenarios(ctx.profile, target.batch))


class IngestBenchmark:
    name = "ingest"
    title = "Ingest throughput"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        results: dict[str, WorkloadResult] = {}
        failures: dict[str, str] = {}
        for system, factory in TARGETS.items():
            if ctx.systems is not None and system not in ctx.systems:
                continue
            print(f"[ingest] {system}", flush=True)
            result = measured_or_failed(failures, system, _measure, ctx, factory)
            if result is not None:
                results[system] = result
        ctx.shared.setdefault(MEMORY_KEY, {}).update(
            {s: r.memory for s, r in results.items() if r.memory}
        )
        report = BenchmarkReport(self.name, self.title)
        report.sections.append(throughput_section(results, failures))
        report.sections.append(ratio_section(results))
        report.targets = targets(results)
        report.raw = {
            "failures": failures,
            "measurements": [raw(m) for r in results.values() for m in r.measurements],
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
    }


def noisy(m: Measurement) -> bool:
    """Measured while processes outside the test were busy (after every retry)."""
    return m.cpu.get("other", 0.0) > MAX_OTHER_CORES


def throughput_section(results: dict[str, WorkloadResult], failures: dict[str, str]) -> Section:
    section = Section(
        "Throughput and latency",
        [
            "system",
            "load",
            "conns",
            "events/s",
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
        for m in result.measurements:
            section.rows.append(
                [
                    system,
                    m.scenario.label,
                    str(m.scenario.connections),
                    fmt.rate(m.run.events_per_s) + (" *" if noisy(m) else ""),
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
        section.rows.append([system, "FAILED", "", why[:200], *[""] * 10])
    section.notes += [
        "events/s: events acknowledged (2xx) per second of the measured run; p50/p99: wrk's "
        "latency percentiles (closed loop, one request in flight per connection).",
        "CPU columns: cores used during the measured run (1.00 = one core busy) by the server "
        "process, its PostgreSQL, the Kafka broker, wrk itself, and other processes on the "
        f"machine (not part of the test). A load starts once those use under {MAX_OTHER_CORES} "
        f"cores (or after 2 minutes) and is measured again, up to {ATTEMPTS} times, if they used "
        "more meanwhile; the quietest attempt is kept, and * marks a figure still measured "
        "while they used more. All of these share the cores listed above.",
        "events verified: events of the warm-up and measured runs found exactly once in the "
        "store and read models (or counted by a baseline) after the run. catch-up s: how long the "
        "check of the kept attempt took after its run ended (waiting for the read models, then "
        "counting; a baseline's 0.5 s is the check's fixed settling pause).",
    ]
    return section


def ratio_section(results: dict[str, WorkloadResult]) -> Section:
    section = Section(
        "EventLens against the baselines (same load, same machine, same run)",
        [
            "EventLens mode",
            "load",
            "conns",
            "events/s",
            "vs bare ASGI",
            "vs FastAPI+pydantic",
            "vs seed design",
        ],
    )
    seed = results.get(SEED)
    seed_peak = peak(seed.measurements, batch=False) if seed else None
    for system in EVENTLENS:
        if system not in results:
            continue
        for m in results[system].measurements:
            batch, conns = m.scenario.batch, m.scenario.connections
            row = [system, m.scenario.label, str(conns), fmt.rate(m.run.events_per_s)]
            for base in (BARE, FASTAPI):
                other = at(results[base].measurements, batch, conns) if base in results else None
                row.append(
                    fmt.ratio(m.run.events_per_s / other.run.events_per_s if other else None)
                )
            seed_m = seed_peak if batch else (at(seed.measurements, False, conns) if seed else None)
            row.append(fmt.ratio(m.run.events_per_s / seed_m.run.events_per_s if seed_m else None))
            section.rows.append(row)
    section.notes.append(
        "Ratios compare equal loads (same endpoint, same connections). The seed design has no "
        "batch endpoint, so EventLens batch figures are compared with the seed's best "
        "single-event figure (its most events/s)."
    )
    return section


def targets(results: dict[str, WorkloadResult]) -> list[TargetCheck]:
    checks: list[TargetCheck] = []
    bare = results.get(BARE)
    bare_peak = peak(bare.measurements, batch=False) if bare else None
    seed = results.get(SEED)
    seed_peak = peak(seed.measurements, batch=False) if seed else None
    for system in EVENTLENS:
        if system not in results:
            continue
        ms_ = results[system].measurements
        single = peak(ms_, batch=False)
        batch = peak(ms_, batch=True)
        if single is not None:
            value = single.run.events_per_s
            where = f"{fmt.rate(value)} events/s at {single.scenario.connections} connections"
            checks.append(
                TargetCheck(
                    f"{system}: single-event ingest ({RATE_LIMIT_NOTE})",
                    f">= {SINGLE_MIN:,} events/s",
                    where,
                    value >= SINGLE_MIN,
                )
            )
            if bare_peak is not None:
                r = value / bare_peak.run.events_per_s
                checks.append(
                    TargetCheck(
                        f"{system}: single-event vs bare ASGI echo (best vs best)",
                        f">= {SINGLE_VS_BARE}x",
                        f"{fmt.ratio(r)} (bare ASGI: {fmt.rate(bare_peak.run.events_per_s)})",
                        r >= SINGLE_VS_BARE,
                    )
                )
            checks.append(
                TargetCheck(
                    f"{system}: p99 at peak throughput",
                    f"<= {P99_MAX_MS:.0f} ms",
                    f"{fmt.ms(single.run.p99_ms)} ms at {single.scenario.connections} connections",
                    single.run.p99_ms <= P99_MAX_MS,
                )
            )
        if batch is not None:
            value = batch.run.events_per_s
            checks.append(
                TargetCheck(
                    f"{system}: batch ingest (100 events/request; {RATE_LIMIT_NOTE})",
                    f">= {BATCH_MIN:,} events/s",
                    f"{fmt.rate(value)} events/s at {batch.scenario.connections} connections",
                    value >= BATCH_MIN,
                )
            )
        if seed is not None and seed_peak is not None:
            worst: tuple[float, str] | None = None
            for m in ms_:
                base = (
                    seed_peak
                    if m.scenario.batch
                    else at(seed.measurements, False, m.scenario.connections)
                )
                if base is None:
                    continue
                r = m.run.events_per_s / base.run.events_per_s
                label = f"{m.scenario.label} x{m.scenario.connections}"
                if worst is None or r < worst[0]:
                    worst = (r, label)
            if worst is not None:
                checks.append(
                    TargetCheck(
                        f"{system}: every ingest figure vs seed design",
                        f">= {VS_SEED:.0f}x",
                        f"lowest {fmt.ratio(worst[0])} ({worst[1]})",
                        worst[0] >= VS_SEED,
                    )
                )
    return checks
