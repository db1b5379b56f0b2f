"""Benchmarks: `make bench` (see docs/BENCHMARKS.md)."""
