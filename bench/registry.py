"""Every benchmark, in the order `python -m bench` runs them: a module under `bench.benchmarks`
with a class that satisfies `bench.core.Benchmark`."""

from __future__ import annotations

from bench.benchmarks.disk import DiskBenchmark
from bench.benchmarks.freshness import FreshnessBenchmark
from bench.benchmarks.ingest import IngestBenchmark
from bench.benchmarks.memory import MemoryBenchmark
from bench.benchmarks.pages import PagesBenchmark
from bench.benchmarks.projection import ProjectionBenchmark
from bench.benchmarks.queries import QueriesBenchmark
from bench.benchmarks.replay import ReplayBenchmark
from bench.benchmarks.soak import SoakBenchmark
from bench.core import Benchmark

BENCHMARKS: dict[str, Benchmark] = {
    benchmark.name: benchmark
    for benchmark in (
        IngestBenchmark(),
        FreshnessBenchmark(),
        ProjectionBenchmark(),
        ReplayBenchmark(),
        QueriesBenchmark(),
        PagesBenchmark(),
        DiskBenchmark(),
        SoakBenchmark(),
        MemoryBenchmark(),  # last: it reports the peaks of every `eventlens up` of the run
    )
}
