"""The ingest benchmark's targets, each judged at the low end of its rounds: the lowest
throughput, the highest p99, the lowest ratio of two runs of the same round."""

from __future__ import annotations

from bench import fmt
from bench.core import TargetCheck
from bench.rounds import Key, Rounds, p99_spreads, rate_spreads, ratio_spread
from bench.services.eventlens import INGEST_RATE_LIMIT
from bench.targets.registry import BARE, EVENTLENS, SEED, SEED_AWAIT
from bench.workload import Measurement, WorkloadResult

SINGLE_MIN = 10_000  # events/s, single-event ingest at the best concurrency
SINGLE_VS_BARE = 0.5  # of the bare ASGI echo's best
P99_MAX_MS = 50.0  # at the concurrency of peak throughput
BATCH_MIN = 50_000  # events/s
VS_SEED = 5.0  # every ingest figure, against the seed design

# All load comes from one address, so the per-client ingest limit is raised for every run;
# the Targets table says so beside each throughput target.
RATE_LIMIT_NOTE = f"EVENTLENS_INGEST_RATE_LIMIT={INGEST_RATE_LIMIT:,}"


def peak(measurements: list[Measurement], batch: bool) -> Measurement | None:
    chosen = [m for m in measurements if m.scenario.batch == batch]
    return max(chosen, key=lambda m: m.run.events_per_s, default=None)


def at(measurements: list[Measurement], batch: bool, connections: int) -> Measurement | None:
    for m in measurements:
        if m.scenario.batch == batch and m.scenario.connections == connections:
            return m
    return None


def same_load(result: WorkloadResult, key: Key) -> float | None:
    m = at(result.measurements, *key)
    return m.run.events_per_s if m else None


def seed_figure(result: WorkloadResult, key: Key) -> float | None:
    """The seed's figure to set against a load: the same single-event load, or for a batch
    (the seed has no batch endpoint) its best single-event figure."""
    batch, connections = key
    m = peak(result.measurements, False) if batch else at(result.measurements, False, connections)
    return m.run.events_per_s if m else None


def best_single(result: WorkloadResult, _key: Key) -> float | None:
    m = peak(result.measurements, False)
    return m.run.events_per_s if m else None


def _throughput(
    system: str, merged: WorkloadResult, rounds: Rounds, batch: bool, label: str, wanted: int
) -> list[TargetCheck]:
    best = peak(merged.measurements, batch)
    if best is None:
        return []
    key = (batch, best.scenario.connections)
    rate = rate_spreads(rounds, system)[key]
    checks = [
        TargetCheck(
            f"{system}: {label}, with {RATE_LIMIT_NOTE}",
            f">= {wanted:,} events/s",
            f"{rate.text()} events/s at {best.scenario.connections} connections",
            rate.low >= wanted,
        )
    ]
    if not batch:
        p99 = p99_spreads(rounds, system)[key]
        checks.append(
            TargetCheck(
                f"{system}: p99 at peak throughput",
                f"<= {P99_MAX_MS:.0f} ms",
                f"{p99.text(fmt.ms)} ms at {best.scenario.connections} connections",
                p99.high <= P99_MAX_MS,
            )
        )
    return checks


def targets(merged: dict[str, WorkloadResult], rounds: Rounds) -> list[TargetCheck]:
    checks: list[TargetCheck] = []
    for system in EVENTLENS:
        if system not in merged:
            continue
        checks += _throughput(
            system, merged[system], rounds, False, "single-event ingest", SINGLE_MIN
        )
        if BARE in merged:
            # best against best, round by round
            best = peak(merged[system].measurements, False)
            vs_bare = ratio_spread(rounds, system, BARE, best_single)
            if best is not None and (False, best.scenario.connections) in vs_bare:
                spread = vs_bare[(False, best.scenario.connections)]
                checks.append(
                    TargetCheck(
                        f"{system}: single-event vs bare ASGI echo (best vs best)",
                        f">= {SINGLE_VS_BARE}x",
                        spread.text(fmt.ratio),
                        spread.low >= SINGLE_VS_BARE,
                    )
                )
        checks += _throughput(
            system, merged[system], rounds, True, "batch ingest (100 events/request)", BATCH_MIN
        )
        for seed, label in ((SEED, "seed design"), (SEED_AWAIT, "seed design, await delivery")):
            if seed not in merged:
                continue
            ratios = ratio_spread(rounds, system, seed, seed_figure)
            if not ratios:
                continue
            (batch, conns), worst = min(ratios.items(), key=lambda item: item[1].low)
            load = f"{'batch of 100' if batch else 'single event'} x{conns}"
            checks.append(
                TargetCheck(
                    f"{system}: every ingest figure vs {label}",
                    f">= {VS_SEED:.0f}x",
                    f"lowest {fmt.ratio(worst.low)} ({load}; median {fmt.ratio(worst.median)})",
                    worst.low >= VS_SEED,
                )
            )
    return checks
