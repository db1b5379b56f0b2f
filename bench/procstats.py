"""CPU and memory of process groups (an app, its database, a broker), read with psutil."""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil

PidSource = Callable[[], list[int]]


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each process, including its children that exited and were reaped:
    short-lived processes (PostgreSQL's parallel query workers, backends of closed
    connections) are then counted with their parent (the postmaster) instead of being lost."""
    seconds = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        seconds[pid] = times.user + times.system + times.children_user + times.children_system
    return seconds


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds these processes have used, together."""
    return sum(_cpu_seconds(pids).values())


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores, all processes)."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _own_cpu() -> float:
    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


def _reaped_children_cpu() -> float:
    """CPU seconds of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    """Cores each group used between `start` and `stop` (1.0 = one core fully busy), plus
    `machine` (everything busy on the machine) and `harness` (this process). With `reaped`,
    also the cores used by child processes of the harness that ran to their end inside the
    window (e.g. a command run with `subprocess.run`), under that name."""

    def __init__(self, groups: dict[str, PidSource], reaped: str | None = None) -> None:
        self.groups = groups
        self.reaped = reaped
        self._before: dict[str, dict[int, float]] = {}
        self._machine = self._own = self._started = self._children = 0.0
        self.cores: dict[str, float] = {}

    def start(self) -> None:
        self._before = {name: _cpu_seconds(source()) for name, source in self.groups.items()}
        self._machine, self._own = _machine_busy(), _own_cpu()
        self._children = _reaped_children_cpu()
        self._started = time.monotonic()

    def stop(self) -> dict[str, float]:
        elapsed = max(time.monotonic() - self._started, 1e-6)
        for name, source in self.groups.items():
            before = self._before.get(name, {})
            after = _cpu_seconds(source())
            used = sum(max(0.0, t - before.get(pid, 0.0)) for pid, t in after.items())
            self.cores[name] = used / elapsed
        self.cores["machine"] = (_machine_busy() - self._machine) / elapsed
        self.cores["harness"] = (_own_cpu() - self._own) / elapsed
        if self.reaped is not None:
            self.cores[self.reaped] = (_reaped_children_cpu() - self._children) / elapsed
        return self.cores


def other_cores(cores: dict[str, float]) -> float:
    """Cores used by processes outside the measured groups and the harness, from a
    `CpuMeter.stop()` result: another workload on the machine."""
    ours = sum(v for k, v in cores.items() if k not in ("machine", "other"))
    return max(0.0, cores.get("machine", 0.0) - ours)


def wait_for_quiet(
    groups: dict[str, PidSource], max_other: float = 0.25, max_wait: float = 120.0
) -> float:
    """Wait (at most `max_wait` s) until processes outside `groups` use under `max_other`
    cores, so that another workload on the machine does not distort a measurement.
    Returns what they used in the last second."""
    deadline = time.monotonic() + max_wait
    while True:
        meter = CpuMeter(groups)
        meter.start()
        time.sleep(1.0)
        cores = meter.stop()
        other = cores["machine"] - sum(v for k, v in cores.items() if k != "machine")
        if other < max_other or time.monotonic() > deadline:
            return max(other, 0.0)


@dataclass
class MemoryPeak:
    """The largest total seen in one phase, and how it was made up at that moment."""

    rss_bytes: int = 0
    pss_bytes: int = 0
    processes: int = 0
    by_group: dict[str, int] = field(default_factory=dict)


def _memory(pids: list[int]) -> tuple[int, int, int]:
    rss = pss = count = 0
    for pid in pids:
        try:
            info = psutil.Process(pid).memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
        count += 1
    return rss, pss, count


class MemorySampler:
    """Samples the summed RSS and PSS of process groups in a thread, keeping each phase's peak.

    RSS counts pages shared between processes (PostgreSQL's shared buffers) once per process,
    so its sum over-states the footprint; PSS divides shared pages among their sharers.
    """

    def __init__(self, groups: dict[str, PidSource], interval: float = 0.5) -> None:
        self.groups = groups
        self.interval = interval
        self.phase = "start"
        self.peaks: dict[str, MemoryPeak] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def set_phase(self, phase: str) -> None:
        self.sample()
        with self._lock:
            self.phase = phase
        self.sample()

    def sample(self) -> None:
        with self._lock:
            self._sample()

    def _sample(self) -> None:
        by_group, total_rss, total_pss, total_procs = {}, 0, 0, 0
        for name, source in self.groups.items():
            rss, pss, count = _memory(source())
            by_group[name] = rss
            total_rss, total_pss, total_procs = (
                total_rss + rss,
                total_pss + pss,
                total_procs + count,
            )
        peak = self.peaks.setdefault(self.phase, MemoryPeak())
        if total_rss > peak.rss_bytes:
            peak.rss_bytes, peak.processes, peak.by_group = total_rss, total_procs, by_group
        peak.pss_bytes = max(peak.pss_bytes, total_pss)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def stop(self) -> dict[str, MemoryPeak]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.sample()
        return self.peaks
