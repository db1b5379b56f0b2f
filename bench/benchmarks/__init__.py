"""One module per benchmark; each exposes a class satisfying `bench.core.Benchmark`."""
