"""Every benchmark, in the order `python -m bench` runs them. Add new ones here (freshness,
projection throughput, replay, queries): a module under `bench.benchmarks` with a class that
satisfies `bench.core.Benchmark`."""

from __future__ import annotations

from bench.benchmarks.ingest import IngestBenchmark
from bench.benchmarks.memory import MemoryBenchmark
from bench.core import Benchmark

BENCHMARKS: dict[str, Benchmark] = {
    benchmark.name: benchmark for benchmark in (IngestBenchmark(), MemoryBenchmark())
}
