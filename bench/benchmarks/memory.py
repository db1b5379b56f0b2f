"""Memory: peak RSS of the `eventlens up` process tree (the Python process and the embedded
PostgreSQL's processes) at rest and under the ingest load."""

from __future__ import annotations

from bench import fmt
from bench.benchmarks.ingest import MEMORY_KEY, MEMORY_ROUNDS_KEY
from bench.core import BenchmarkReport, RunContext, Section, TargetCheck
from bench.procstats import MemoryPeak
from bench.scope import SCOPES, available
from bench.targets.registry import EVENTLENS_KAFKA, EVENTLENS_POSTGRES, TARGETS
from bench.workload import run_workload, scenarios

RSS_MAX_MB = 500
PHASES = {"rest": "at rest (after setup, idle)", "load": "under the ingest load (peak)"}
SYSTEMS = {
    EVENTLENS_POSTGRES: "eventlens up, embedded (Python process + PostgreSQL)",
    EVENTLENS_KAFKA: "eventlens up, Kafka mode (Python process only)",
}


class MemoryBenchmark:
    name = "memory"
    title = "Memory footprint"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        samples: dict[str, dict[str, MemoryPeak]] = ctx.shared.get(MEMORY_KEY, {})
        by_round: dict[str, list[dict[str, MemoryPeak]]] = ctx.shared.get(MEMORY_ROUNDS_KEY, {})
        report = BenchmarkReport(self.name, self.title)
        if EVENTLENS_POSTGRES not in samples:
            # Not measured during the ingest benchmark (e.g. `--only memory`): run its load.
            print(f"[memory] {EVENTLENS_POSTGRES} under the ingest load", flush=True)
            with TARGETS[EVENTLENS_POSTGRES](ctx) as target:
                plan = scenarios(ctx.profile, batch=True)
                result = run_workload(target, ctx.profile, plan, ctx.scratch("memory-ledgers"))
            samples = {**samples, EVENTLENS_POSTGRES: result.memory}
        else:
            report.notes.append("Sampled during the ingest benchmark's EventLens runs.")
        section = Section(
            "Resident memory (sampled every 0.5 s)",
            [
                "process tree",
                "phase",
                "sum of RSS MB",
                "of which app",
                "of which PostgreSQL",
                "PSS MB",
                "PSS MB by round",
                "processes",
            ],
        )
        for system, label in SYSTEMS.items():
            for phase, phase_label in PHASES.items():
                peak_ = samples.get(system, {}).get(phase)
                if peak_ is None:
                    continue
                section.rows.append(
                    [
                        label,
                        phase_label,
                        fmt.mb(peak_.rss_bytes),
                        fmt.mb(peak_.by_group.get("app", 0)),
                        fmt.mb(peak_.by_group.get("db", 0)) if "db" in peak_.by_group else "",
                        fmt.mb(peak_.pss_bytes),
                        _by_round(by_round.get(system, []), phase),
                        str(peak_.processes),
                    ]
                )
        section.notes.append(
            "PostgreSQL's shared buffers are mapped by every backend, so a plain sum of RSS counts "
            "each shared page once per process that touched it (here up to "
            f"{max((p.processes for p in samples.get(EVENTLENS_POSTGRES, {}).values()), default=0)}"
            " processes) and is not memory the machine actually gives the tree. PSS divides each "
            "shared page among the processes sharing it, so the sum of PSS is the tree's resident "
            "memory with every page counted once; the target is judged on it. Each figure is "
            "the highest of the ingest benchmark's rounds (each round's peak beside it)."
        )
        report.sections.append(section)
        embedded = samples.get(EVENTLENS_POSTGRES, {})
        for phase, peak_ in embedded.items():
            # The tree is found through postmaster.pid and psutil; if that failed, the figure
            # would silently be the Python process's alone.
            if not peak_.by_group.get("db"):
                raise RuntimeError(
                    f"no embedded PostgreSQL process was sampled {PHASES.get(phase, phase)}: "
                    "the memory figure would leave the database out"
                )
        if embedded:
            rss = max(p.rss_bytes for p in embedded.values())
            pss = max(p.pss_bytes for p in embedded.values())
            rounds = max(1, len(by_round.get(EVENTLENS_POSTGRES, [])))
            report.targets.append(
                TargetCheck(
                    "embedded `eventlens up` peak resident memory (whole process tree)",
                    f"<= {RSS_MAX_MB} MB",
                    f"{fmt.mb(pss)} MB, the highest of {rounds} round(s) (sum of PSS; plain "
                    f"sum of RSS {fmt.mb(rss)} MB)",
                    pss <= RSS_MAX_MB * 1e6,
                )
            )
        report.sections.append(_scopes())
        report.raw = {
            system: {phase: vars(peak_) for phase, peak_ in phases.items()}
            for system, phases in samples.items()
        }
        report.raw["scopes"] = [(name, scope.unit, scope.peaks) for name, scope in SCOPES]
        return report


def _by_round(rounds: list[dict[str, MemoryPeak]], phase: str) -> str:
    peaks = [fmt.mb(r[phase].pss_bytes) for r in rounds if phase in r]
    return ", ".join(peaks) if len(peaks) > 1 else ""


def _scopes() -> Section:
    """The kernel's peak for every `eventlens up` the run started (this benchmark runs last)."""
    ok, how = available()
    section = Section(
        "Peak memory of every `eventlens up` of the run, counted by the kernel",
        ["`eventlens up` of", "cgroup peak MB"],
    )
    for name, scope in SCOPES:
        if scope.peaks:
            section.rows.append([name, fmt.mb(max(scope.peaks))])
    if not section.rows:
        section.rows.append(["(none read)", "n/a"])
    if ok:
        section.notes.append(
            f"Each `eventlens up` ran in {how}; its cgroup's peak (v2's `memory.peak`, v1's "
            "`memory.max_usage_in_bytes`), read just before it stopped, counts every process "
            "of the tree (the embedded PostgreSQL's too) and the page cache charged to them, "
            "each page once."
        )
    else:
        section.notes.append(
            f"Not available on this machine: {how}. The figures above are then the only ones: "
            "summed PSS of the process tree, sampled every 0.5 s."
        )
    return section
