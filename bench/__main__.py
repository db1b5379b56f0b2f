"""`python -m bench`: run the benchmarks (see docs/BENCHMARKS.md)."""

from bench.cli import main

if __name__ == "__main__":
    main()
