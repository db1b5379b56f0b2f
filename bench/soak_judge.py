"""What a soak run holds and how it is judged: each criterion per run, and over the rounds
(met only if met in every run, its figure the median run's with the lowest and highest)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from bench import fmt
from bench.ledger import LedgerCheck
from bench.rounds import spread

RSS_GROWTH_MAX = 0.10
P99_DRIFT_MAX = 1.5  # the last third's median p99 against the first third's
FLAT_SLACK = 0.10  # fds and connections: the last sample within 10 % (+2) of the first
RATE = 1000  # events/s
RATE_SHORTFALL = 0.95  # the sender must reach this share of RATE


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


@dataclass(frozen=True)
class Criterion:
    ok: bool
    detail: str
    figure: float | None = None  # what the rounds' spread is taken of (None: pass or fail)


@dataclass
class SoakRun:
    mode: str
    minutes: float
    samples: list[Sample]
    ingest: dict[str, Any]
    readers: dict[str, Any]
    ledger: LedgerCheck
    criteria: dict[str, Criterion] = field(default_factory=dict)

    @property
    def p99_drift(self) -> float:
        """The ingest p99's last third against its first: what the median run is chosen by."""
        figure = self.criteria["ingest p99 stable"].figure
        return figure if figure is not None else 0.0


def _flat(values: list[int]) -> Criterion:
    first, last = values[0], values[-1]
    return Criterion(
        last <= first * (1 + FLAT_SLACK) + 2,
        f"{first} then {last} (max {max(values)})",
        float(last - first),
    )


def judge(run: SoakRun) -> str | None:
    """Fill in the pass criteria, against the first sample (taken after the first interval's
    load); a reason when the run has too few samples to be judged."""
    samples = run.samples
    if len(samples) < 2:
        return f"{run.mode}: {len(samples)} samples; a soak needs two or more"
    first, last = samples[0].app_rss, samples[-1].app_rss
    growth = (last - first) / first
    run.criteria["RSS growth"] = Criterion(
        growth < RSS_GROWTH_MAX,
        f"{growth * 100:+.1f} % ({fmt.mb(first)} to {fmt.mb(last)} MB)",
        growth,
    )
    run.criteria["file descriptors flat"] = _flat([s.fds for s in samples])
    run.criteria["connections flat"] = _flat([s.connections for s in samples])
    p99s = [s.ingest_p99_ms for s in samples if s.ingest_p99_ms is not None]
    third = max(1, len(p99s) // 3)
    early, late = median(p99s[:third]), median(p99s[-third:])
    run.criteria["ingest p99 stable"] = Criterion(
        late <= P99_DRIFT_MAX * early,
        f"{fmt.ms(early)} ms in the first third, {fmt.ms(late)} ms in the last",
        late / early if early else None,
    )
    achieved = float(run.ingest.get("rate_achieved", 0))
    run.criteria["rate held"] = Criterion(
        achieved >= RATE_SHORTFALL * RATE,
        f"{achieved:,.0f} events/s acknowledged over the run",
        achieved,
    )
    errors = run.ingest.get("errors") or {}
    failed = sum(errors.values()) + sum(run.readers["errors"].values())
    run.criteria["no failed request"] = Criterion(
        not failed,
        f"ingest {sum(errors.values())}, dashboard {sum(run.readers['errors'].values())}",
    )
    run.criteria["every acknowledged event stored once"] = Criterion(
        run.ledger.ok, run.ledger.summary()
    )
    return None


FIGURES: dict[str, Callable[[float], str]] = {
    "RSS growth": lambda v: f"{v * 100:+.1f} %",
    "file descriptors flat": lambda v: f"{v:+.0f}",
    "connections flat": lambda v: f"{v:+.0f}",
    "ingest p99 stable": lambda v: f"{v:.2f}x",
    "rate held": lambda v: f"{v:,.0f}/s",
}


def over_rounds(runs: Sequence[SoakRun], name: str) -> tuple[bool, str]:
    """A criterion over a mode's runs: met only if met in every one; its figure the median
    run's, the lowest and highest beside it; the worst run's detail when one failed."""
    criteria = [run.criteria[name] for run in runs]
    ok = all(c.ok for c in criteria)
    figures = [c.figure for c in criteria if c.figure is not None]
    if figures and len(figures) == len(criteria):
        show, middle = FIGURES[name], spread(figures)
        # "to", not a dash: these figures may be negative
        text = (
            f"{show(middle.median)} ({show(middle.low)} to {show(middle.high)}, {middle.runs} runs)"
        )
    else:
        text = f"{sum(c.ok for c in criteria)} of {len(criteria)} runs"
    if not ok:
        failed = [f"run {i + 1}: {c.detail}" for i, c in enumerate(criteria) if not c.ok]
        text += "; failed in " + "; ".join(failed)
    elif len(criteria) == 1:
        text += f": {criteria[0].detail}"
    return ok, text


def wanted(name: str) -> str:
    every = " in every run"
    return {
        "RSS growth": f"< {RSS_GROWTH_MAX * 100:.0f} %{every}",
        "file descriptors flat": f"last <= first + {FLAT_SLACK * 100:.0f} % + 2{every}",
        "connections flat": f"last <= first + {FLAT_SLACK * 100:.0f} % + 2{every}",
        "ingest p99 stable": f"last third <= {P99_DRIFT_MAX}x first third{every}",
        "rate held": f">= {RATE_SHORTFALL * RATE:,.0f} events/s{every}",
    }.get(name, f"yes{every}")
