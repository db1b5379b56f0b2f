"""What every benchmark shares: results, target checks, failures and the run context."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

ROOT = Path(__file__).resolve().parents[1]
# What the processes the benchmarks start import: this checkout's `src` first (an installed
# EventLens, e.g. an editable install of another checkout, would otherwise win), then the
# harness itself.
PYTHONPATH = os.pathsep.join((str(ROOT / "src"), str(ROOT)))

T = TypeVar("T")


class BenchmarkFailure(Exception):
    """A run that cannot be trusted (lost or duplicated events, errors): no number is reported."""


def measured_or_failed(
    failures: dict[str, str], system: str, measure: Callable[..., T], *args: Any
) -> T | None:
    """One system's measurement, or None with the reason recorded in `failures` (a failed
    system must not stop the others from being measured)."""
    try:
        return measure(*args)
    except BenchmarkFailure as error:
        failures[system] = str(error)
        print(f"  FAILED: {error}", flush=True)
    except Exception as error:
        failures[system] = f"{type(error).__name__}: {error}"
        traceback.print_exc()
    return None


@dataclass(frozen=True)
class Profile:
    """How long and how wide each load runs; `quick` is a smoke run."""

    name: str
    warmup_s: int
    duration_s: int
    single_connections: tuple[int, ...]
    batch_connections: tuple[int, ...]
    batch_size: int = 100
    rounds: int = 3  # every benchmark but memory: once a round, in turn
    # A load waits up to quiet_wait_s for other processes to go quiet, and is measured again
    # (up to `attempts` runs in all) if they were busy meanwhile.
    attempts: int = 3  # bench.workload.ATTEMPTS
    quiet_wait_s: float = 120.0
    rest_s: int = 5  # idle time in which memory at rest is sampled
    first_warmup_s: int = 10  # before a system's first load: JIT, caches, connection pools
    kafka_warmup_s: int = 45  # produce and fetch load on a new broker, before any system uses it
    # freshness: probe events (one at a time) under the steady background load
    freshness_probes: int = 200
    freshness_rate: int = 1_000  # background events/s
    # projection: events pre-filled into the store, then projected by one worker, once a
    # round in each mode (over 60 s a run at the rates last measured: a window of 5 s was too
    # short to trust, and three rounds of 2,500,000 took most of an hour)
    projection_events: int = 1_000_000
    # replay: events projected by the live worker, then rebuilt by `eventlens replay`, once a
    # round (over 60 s a run at the rates last measured)
    replay_events: int = 1_000_000
    # queries and pages: the dataset built by the product (30 days of visitors' events)
    dataset_events: int = 10_000_000
    # queries: requests of each query a round
    query_requests: int = 200
    # soak: tracker traffic at 1,000 events/s with dashboards and subscriptions, sampled;
    # a run's minutes, once a round in each mode
    soak_minutes: float = 10.0
    disk_events: int = 200_000  # tracker events sent before the disk is measured
    # pages: how long each load of clients runs
    pages_seconds: float = 30.0
    soak_sample_s: float = 60.0

    @classmethod
    def full(cls) -> Profile:
        return cls("full", 3, 10, (8, 32, 64, 128), (4, 16))

    @classmethod
    def quick(cls) -> Profile:
        return cls(
            "quick",
            1,
            3,
            (8, 64),
            (8,),
            rounds=1,
            attempts=1,
            quiet_wait_s=5.0,
            rest_s=2,
            first_warmup_s=2,
            kafka_warmup_s=5,
            freshness_probes=40,
            projection_events=30_000,
            replay_events=100_000,
            dataset_events=100_000,
            query_requests=50,
            soak_minutes=2.0,
            disk_events=20_000,
            pages_seconds=5.0,
            soak_sample_s=20.0,
        )


@dataclass(frozen=True)
class TargetCheck:
    """One product target, evaluated against a measured value."""

    target: str
    wanted: str
    measured: str
    met: bool


@dataclass
class Section:
    """A titled table of one benchmark's results."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class BenchmarkReport:
    name: str
    title: str
    sections: list[Section] = field(default_factory=list)
    targets: list[TargetCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    method: list[str] = field(default_factory=list)  # how it was measured (report's Method)


class Benchmark(Protocol):
    """A benchmark module's entry point; register it in `bench.registry`."""

    name: str
    title: str

    def run(self, ctx: RunContext) -> BenchmarkReport: ...


class RunContext:
    """Shared by all benchmarks of one run: profile, scratch space, services and cleanup.

    Services (a PostgreSQL server, a Kafka broker) are started on first use and stopped when
    the run ends, whatever happens. `shared` lets a benchmark reuse what another measured
    (e.g. the memory benchmark reuses the samples taken during the ingest benchmark).
    """

    def __init__(
        self, profile: Profile, keep_workdir: bool = False, systems: list[str] | None = None
    ) -> None:
        self.profile = profile
        self.systems = systems  # None: every system under test
        self.keep_workdir = keep_workdir
        self.workdir = Path(tempfile.mkdtemp(prefix="eventlens-bench-"))
        self.workdir.chmod(0o755)  # the embedded PostgreSQL runs as another user
        self.shared: dict[str, Any] = {}
        self.options: dict[str, Any] = {}  # per-benchmark settings from the command line
        self._stack = contextlib.ExitStack()
        self._services: dict[str, Any] = {}
        if not keep_workdir:
            self._stack.callback(shutil.rmtree, self.workdir, True)

    def scratch(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(parents=True, exist_ok=True)
        path.chmod(0o755)
        return path

    def fresh_dir(self, name: str) -> Path:
        """A new, empty directory (each system under test starts from nothing)."""
        path = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=self.workdir))
        path.chmod(0o755)
        return path

    def service(
        self, name: str, start: Callable[[RunContext], contextlib.AbstractContextManager[T]]
    ) -> T:
        """The running service `name`, started by `start` the first time it is asked for."""
        if name not in self._services:
            self._services[name] = self._stack.enter_context(start(self))
        value: T = self._services[name]
        return value

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> RunContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
