"""The ingest workload: single-event and batch loads at several concurrencies, each after a
warm-up, each verified (every event arrived exactly once) before its numbers are kept.

Every load's events are counted per run tag (`bench.verify`: between acknowledged and sent,
the store and the read models alike). EventLens's loads are checked per event as well: wrk
writes a ledger of the ids it sent and the ids acknowledged, and every acknowledged id must be
found once in the store (in Kafka mode the topic itself) and once in `event_logs`
(`bench.ledger`); a load whose ledger check fails fails the system's benchmark."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.core import BenchmarkFailure, Profile
from bench.events import snippet_event, tagged_event_id
from bench.http import request_json
from bench.ledger import LedgerCheck
from bench.loadgen.wrk import WrkResult, new_tag, run_wrk
from bench.procstats import CpuMeter, MemoryPeak, MemorySampler, wait_for_quiet
from bench.targets import Target
from bench.targets.eventlens import per_event_check
from bench.verify import Ledger, SentEvents

MAX_OTHER_CORES = 0.25  # CPU other processes may use while a load is measured
ATTEMPTS = 3


@dataclass(frozen=True)
class Scenario:
    connections: int
    events_per_request: int = 0  # 0: single-event `POST /api/events/ingest`

    @property
    def batch(self) -> bool:
        return self.events_per_request > 0

    @property
    def label(self) -> str:
        return f"batch of {self.events_per_request}" if self.batch else "single event"


def scenarios(profile: Profile, batch: bool) -> list[Scenario]:
    plan = [Scenario(c) for c in profile.single_connections]
    if batch:
        plan += [Scenario(c, profile.batch_size) for c in profile.batch_connections]
    return plan


@dataclass(frozen=True)
class Measurement:
    system: str
    scenario: Scenario
    run: WrkResult
    cpu: dict[str, float]  # cores used in the measured run: app, db, broker, loadgen, harness,
    # other (processes outside the test: another workload on the machine)
    verified_events: int  # events of the warm-up and measured run(s) found exactly once
    settle_s: float  # seconds until the read models had caught up after the run, and checked
    ledger: str = ""  # the per-event check's summary (EventLens), bench.ledger.LedgerCheck


@dataclass
class WorkloadResult:
    measurements: list[Measurement] = field(default_factory=list)
    memory: dict[str, MemoryPeak] = field(default_factory=dict)
    open_loop: list[dict[str, Any]] = field(default_factory=list)  # bench.openloop's results


def _sent(run: WrkResult, label: str) -> SentEvents:
    return SentEvents(run.tag, run.events_acknowledged, run.events_sent, label)


def probe(target: Target, ledger: Ledger) -> None:
    """One event through the real path before any load: fails fast on a wrong body or setup."""
    tag = new_tag()
    body = snippet_event(target.container_id, tagged_event_id(tag))
    status, answer = request_json("POST", target.ingest_url, body)
    if not 200 <= status < 300:
        raise BenchmarkFailure(f"{target.name}: the probe event was answered {status}: {answer}")
    ledger.add(SentEvents(tag, 1, 1, "probe"))
    ledger.verify(target.counter)


@dataclass
class PerEvent:
    """The ledger of one EventLens load's wrk runs (the ids sent and acknowledged), checked per
    event once they ran (`bench.ledger`)."""

    file: Path
    check: Callable[[Path, Sequence[str]], LedgerCheck]
    tags: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, target: Target, scratch: Path, scenario: Scenario) -> PerEvent | None:
        check = per_event_check(target)
        if check is None:
            return None  # a baseline: counted per tag only
        name = f"{target.name}-{scenario.events_per_request}x{scenario.connections}.ledger"
        ledger = cls(scratch / name, check)
        for path in ledger.files:
            path.unlink(missing_ok=True)  # a failed earlier run's
        return ledger

    @property
    def files(self) -> tuple[Path, Path]:
        return self.file, Path(f"{self.file}.unacknowledged")

    def verify(self, what: str) -> LedgerCheck:
        """Every acknowledged id once in the store and in `event_logs`, or BenchmarkFailure
        (the ledger kept for a look); the caller waits for the read models first."""
        checked = self.check(self.file, self.tags)
        if not checked.ok:
            raise BenchmarkFailure(f"{what}: {checked.summary()} (ledger {self.file})")
        for path in self.files:
            path.unlink()
        return checked


def measure(
    target: Target,
    scenario: Scenario,
    profile: Profile,
    ledger: Ledger,
    warmup_s: int,
    scratch: Path | None = None,
) -> Measurement:
    """Warm up for `warmup_s`, then measure. A measured run during which processes outside
    the test used more than `MAX_OTHER_CORES` is repeated (at most `profile.attempts` times, the
    quietest kept). Every run's events, kept or not, are verified: counted per tag, and, for
    EventLens given a `scratch` directory for the ledger, checked per event."""
    url = target.batch_url if scenario.batch else target.ingest_url
    name = f"{scenario.label} x{scenario.connections}"
    per_event = None if scratch is None else PerEvent.start(target, scratch, scenario)

    def load(seconds: int) -> WrkResult:
        ids = None if per_event is None else per_event.file
        events = scenario.events_per_request
        run = run_wrk(url, scenario.connections, seconds, target.container_id, events, ledger=ids)
        if per_event is not None:
            per_event.tags.append(run.tag)
        return run

    warm = load(warmup_s)
    warm.check()
    ledger.add(_sent(warm, f"{name} warm-up"))
    best: tuple[WrkResult, dict[str, float]] | None = None
    for attempt in range(1, profile.attempts + 1):
        wait_for_quiet(target.cpu_groups, MAX_OTHER_CORES, profile.quiet_wait_s)
        meter = CpuMeter(target.cpu_groups)
        meter.start()
        run = load(profile.duration_s)
        cpu = {**meter.stop(), "loadgen": run.cpu_s / run.duration_s}
        run.check()
        ledger.add(_sent(run, f"{name} (attempt {attempt})"))
        ours = sum(v for k, v in cpu.items() if k != "machine")
        cpu["other"] = max(0.0, cpu.pop("machine") - ours)  # processes not part of the test
        if best is None or cpu["other"] < best[1]["other"]:
            best = (run, cpu)
        if cpu["other"] <= MAX_OTHER_CORES or attempt == profile.attempts:
            break
        print(f"  (other processes used {cpu['other']:.2f} cores; measuring again)", flush=True)
        target.counter.wait_settled()
    assert best is not None
    started = time.monotonic()
    verified = ledger.verify(target.counter)
    summary = ""
    if per_event is not None:
        checked = per_event.verify(f"{target.name}, {name}")
        verified, summary = checked.acknowledged, checked.summary()
    settle = time.monotonic() - started
    return Measurement(target.name, scenario, best[0], best[1], verified, settle, summary)


def run_workload(
    target: Target, profile: Profile, plan: list[Scenario], scratch: Path | None = None
) -> WorkloadResult:
    """Probe, rest (memory at rest), then every scenario of `plan` in turn; `scratch`: where
    EventLens's loads keep their ledgers while they are checked per event."""
    ledger = Ledger(target.name)
    result = WorkloadResult()
    sampler = MemorySampler(target.memory_groups).start() if target.memory_groups else None
    try:
        probe(target, ledger)
        if sampler is not None:
            sampler.set_phase("rest")
            time.sleep(profile.rest_s)
            sampler.set_phase("load")
        for index, scenario in enumerate(plan):
            warmup = profile.first_warmup_s if index == 0 else profile.warmup_s
            measurement = measure(target, scenario, profile, ledger, warmup, scratch)
            result.measurements.append(measurement)
            print(f"  {format_measurement(measurement)}", flush=True)
    finally:
        if sampler is not None:
            result.memory = sampler.stop()
    return result


def format_measurement(m: Measurement) -> str:
    cpu = " ".join(f"{k}={v:.2f}" for k, v in m.cpu.items() if k != "harness")
    return (
        f"{m.system:<19} {m.scenario.label:<13} c={m.scenario.connections:<4} "
        f"{m.run.events_per_s:>10,.0f} ev/s  p50 {m.run.p50_ms:6.1f} ms  "
        f"p99 {m.run.p99_ms:6.1f} ms  cores: {cpu}  verified {m.verified_events:,}"
    )
