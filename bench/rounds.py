"""Repeated, alternated runs: every system is measured once per round, the rounds one after
another, so baselines and EventLens alternate in the same run; a figure is the median of the
rounds with its lowest and highest beside it, and a target counts as met only at the low end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import TypeVar

from bench import fmt
from bench.core import RunContext, measured_or_failed
from bench.procstats import MemoryPeak
from bench.workload import Measurement, WorkloadResult

Key = tuple[bool, int]  # (batch, connections)
Rounds = list[dict[str, WorkloadResult]]  # per round, each system's result


@dataclass(frozen=True)
class Spread:
    """One figure over the rounds: its median run's value, the lowest and the highest."""

    median: float
    low: float
    high: float
    runs: int

    def text(self, format_: Callable[[float], str] = fmt.rate) -> str:
        if self.runs == 1:
            return f"{format_(self.median)} (1 run)"
        return (
            f"{format_(self.median)} ({format_(self.low)}-{format_(self.high)}, {self.runs} runs)"
        )


def spread(values: Sequence[float]) -> Spread:
    return Spread(median(values), min(values), max(values), len(values))


def key(m: Measurement) -> Key:
    return m.scenario.batch, m.scenario.connections


def measurements(rounds: Rounds, system: str) -> dict[Key, list[Measurement]]:
    found: dict[Key, list[Measurement]] = {}
    for results in rounds:
        if system in results:
            for m in results[system].measurements:
                found.setdefault(key(m), []).append(m)
    return found


def merge(rounds: Rounds, system: str) -> WorkloadResult:
    """The system's median run of each load (the lower middle one of an even count), and the
    highest memory of each phase over the rounds."""
    merged = WorkloadResult()
    for runs in measurements(rounds, system).values():
        ordered = sorted(runs, key=lambda m: m.run.events_per_s)
        merged.measurements.append(ordered[(len(ordered) - 1) // 2])
    for results in rounds:
        for phase, peak in (results[system].memory if system in results else {}).items():
            if peak.pss_bytes > merged.memory.get(phase, MemoryPeak()).pss_bytes:
                merged.memory[phase] = peak
    return merged


def rate_spreads(rounds: Rounds, system: str) -> dict[Key, Spread]:
    return {
        k: spread([m.run.events_per_s for m in runs])
        for k, runs in measurements(rounds, system).items()
    }


def p99_spreads(rounds: Rounds, system: str) -> dict[Key, Spread]:
    return {
        k: spread([m.run.p99_ms for m in runs]) for k, runs in measurements(rounds, system).items()
    }


def ratio_spread(
    rounds: Rounds, system: str, base: str, pick: Callable[[WorkloadResult, Key], float | None]
) -> dict[Key, Spread]:
    """`system` against `base`, round by round (each ratio of two runs of the same round),
    for every load of `system`; `pick` finds the base's figure for a load (None: none)."""
    ratios: dict[Key, list[float]] = {}
    for results in rounds:
        if system not in results or base not in results:
            continue
        for m in results[system].measurements:
            other = pick(results[base], key(m))
            if other:
                ratios.setdefault(key(m), []).append(m.run.events_per_s / other)
    return {k: spread(v) for k, v in ratios.items()}


R = TypeVar("R")


def each_round(
    ctx: RunContext,
    label: str,
    measures: Mapping[str, Callable[[], R]],
    describe: Callable[[R], str],
    system_of: Callable[[str], str] = lambda mode: mode,
) -> tuple[dict[str, list[R]], dict[str, str]]:
    """Every mode measured once a round, the rounds in turn (those of `ctx.systems` only; a
    mode that failed is not measured again): each mode's runs, and the failures."""
    runs: dict[str, list[R]] = {}
    failures: dict[str, str] = {}
    for index in range(ctx.profile.rounds):
        for mode, measure in measures.items():
            if ctx.systems is not None and system_of(mode) not in ctx.systems:
                continue
            if mode in failures:
                continue
            print(f"[{label}] round {index + 1}/{ctx.profile.rounds}: {mode}", flush=True)
            run = measured_or_failed(failures, mode, measure)
            if run is not None:
                runs.setdefault(mode, []).append(run)
                print(f"  {describe(run)}", flush=True)
    return runs, failures


def median_run(runs: Sequence[R], by: Callable[[R], float]) -> R:
    """The median run by `by` (the lower middle one of an even count)."""
    ordered = sorted(runs, key=by)
    return ordered[(len(ordered) - 1) // 2]
