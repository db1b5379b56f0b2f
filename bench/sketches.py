"""`python -m bench.sketches`: our HyperLogLog (`distinct_count.py`) against Apache DataSketches'.

DataSketches (`pip install datasketches`; not a dependency of EventLens) as hll_sketch with
lg_k 12 (4,096 registers, as ours), HLL_4 and HLL_8, stored in its compact form. Measured:
- query: a 30-day range over N adaptors, one metric: its stored sketches (bytes, as the read
  side's sketch cache holds them) deserialised, merged and estimated, as the read side's
  `_uniques` does with `merged_count`; for DataSketches also with the sketches held already
  deserialised (what a cache of sketch objects would leave);
- projection: one day's sketch decoded, a batch of new ids added, encoded (`_count_visitors`);
- accuracy: relative error over seeds, of one sketch and of a union of 30 day sketches, and
  the first count that is not exact;
- size: serialized bytes.
Timings are medians over repetitions, each the mean of enough calls to last about 50 ms; the
implementations run in turn, in alternating order, so a noisy moment hits each of them.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import math
import statistics
import time
from collections.abc import Callable, Sequence

from bench.core import ROOT
from bench.machine import describe, revision
from bench.table import markdown
from eventlens.projections.distinct_count import Sketch, merged_count

try:
    import datasketches as ds
except ImportError as error:
    raise SystemExit("`pip install datasketches` first: it is not a dependency") from error

LG_K = 12
DAYS = 30
KINDS = {"HLL_4": ds.HLL_4, "HLL_8": ds.HLL_8}
QUERY_ADAPTORS = (1, 5, 20)
QUERY_DISTINCT = (100, 10_000, 200_000)
POOL_VALUES = 6_000_000  # at most this many ids go into the query's sketches per day size
BATCHES = (1_000, 5_000)
ACCURACY = (10, 100, 1_000, 10_000, 100_000, 1_000_000)
SAMPLE_S = 0.05


def ids(seed: int, start: int, stop: int) -> list[str]:
    """Distinct ids shaped like the snippet's session ids (prefix, milliseconds, a suffix)."""
    return [f"session_{1733500000000 + i}_{seed:09x}" for i in range(start, stop)]


def ours(values: Sequence[str]) -> bytes:
    sketch = Sketch()
    sketch.add_all(values)
    return sketch.encode()


def theirs(values: Sequence[str], kind: ds.tgt_hll_type) -> bytes:
    sketch = ds.hll_sketch(LG_K, kind)
    for value in values:
        sketch.update(value)
    return sketch.serialize_compact()


def ds_count(encoded: Sequence[bytes]) -> int:
    union = ds.hll_union(LG_K)
    for data in encoded:
        union.update(ds.hll_sketch.deserialize(data))
    return round(union.get_estimate())


def ds_count_held(sketches: Sequence[ds.hll_sketch]) -> int:
    union = ds.hll_union(LG_K)
    for sketch in sketches:
        union.update(sketch)
    return round(union.get_estimate())


def ours_add(data: bytes, values: Sequence[str]) -> bytes:
    sketch = Sketch.decode(data)
    sketch.add_all(values)
    return sketch.encode()


def ds_add(data: bytes, values: Sequence[str]) -> bytes:
    sketch = ds.hll_sketch.deserialize(data)
    for value in values:
        sketch.update(value)
    return sketch.serialize_compact()


def calls_per_sample(fn: Callable[[], object]) -> int:
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        if (elapsed := time.perf_counter() - start) >= SAMPLE_S / 5:
            return max(1, math.ceil(number * SAMPLE_S / elapsed))
        number *= 4


def interleaved(cases: dict[str, Callable[[], object]], reps: int) -> dict[str, list[float]]:
    """Seconds per call, `reps` samples per case; each round runs every case once, the order
    reversed every other round."""
    numbers = {name: calls_per_sample(fn) for name, fn in cases.items()}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for rep in range(reps):
        for name in names if rep % 2 == 0 else reversed(names):
            fn, number = cases[name], numbers[name]
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return samples


def spread(samples: list[float], unit: float = 1e3) -> str:
    """Median (min-max) in milliseconds."""
    low, mid, high = min(samples) * unit, statistics.median(samples) * unit, max(samples) * unit
    return f"{mid:.3f} ({low:.3f}-{high:.3f})"


def ratio(samples: list[float], base: list[float]) -> str:
    """The median of the per-round ratios, with their range."""
    ratios = sorted(s / b for s, b in zip(samples, base, strict=True))
    return f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})"


def day_sketches(distinct: int, count: int) -> dict[str, list[bytes]]:
    """`count` day sketches of `distinct` new ids each, in every format (fewer, reused in turn,
    where that would take more than POOL_VALUES ids: a dense merge costs the same whatever its
    registers hold)."""
    pool = max(DAYS, min(count, POOL_VALUES // distinct))
    days = [ids(0, i * distinct, (i + 1) * distinct) for i in range(pool)]
    built = {"ours": [ours(d) for d in days]}
    built |= {kind: [theirs(d, t) for d in days] for kind, t in KINDS.items()}
    return {name: [s[i % pool] for i in range(count)] for name, s in built.items()}


def query(reps: int) -> list[list[str]]:
    rows = []
    for distinct in QUERY_DISTINCT:
        pools = day_sketches(distinct, DAYS * max(QUERY_ADAPTORS))
        for adaptors in QUERY_ADAPTORS:
            n = DAYS * adaptors
            s = {name: blobs[:n] for name, blobs in pools.items()}
            held = [ds.hll_sketch.deserialize(b) for b in s["HLL_4"]]
            expected = merged_count(s["ours"])
            assert abs(ds_count(s["HLL_4"]) - expected) <= 0.1 * expected
            t = interleaved(
                {
                    "ours": lambda s=s: merged_count(s["ours"]),
                    "HLL_4": lambda s=s: ds_count(s["HLL_4"]),
                    "HLL_8": lambda s=s: ds_count(s["HLL_8"]),
                    "held": lambda held=held: ds_count_held(held),
                },
                reps,
            )
            row = [str(adaptors), f"{distinct:,}", f"{n:,}", *(spread(x) for x in t.values())]
            rows.append([*row, ratio(t["HLL_4"], t["ours"]), ratio(t["HLL_8"], t["ours"])])
            print(f"  query: {adaptors} adaptors, {distinct:,} a day", flush=True)
    return rows


def projection(reps: int) -> list[list[str]]:
    rows = []
    for distinct in QUERY_DISTINCT:
        day = ids(1, 0, distinct)
        stored = {"ours": ours(day)} | {k: theirs(day, t) for k, t in KINDS.items()}
        for size in BATCHES:
            batch = ids(1, distinct, distinct + size)
            t = interleaved(
                {
                    "ours": lambda d=stored["ours"], b=batch: ours_add(d, b),
                    "HLL_4": lambda d=stored["HLL_4"], b=batch: ds_add(d, b),
                    "HLL_8": lambda d=stored["HLL_8"], b=batch: ds_add(d, b),
                },
                reps,
            )
            row = [f"{distinct:,}", f"{size:,}", *(spread(x) for x in t.values())]
            rows.append([*row, ratio(t["HLL_4"], t["ours"])])
    return rows


def accuracy(seeds: int) -> tuple[list[list[str]], list[list[str]]]:
    """Relative errors per cardinality (one stream per seed, read at each cardinality), and
    the serialized sizes of seed 0's sketches."""
    errors: dict[tuple[str, int], list[float]] = {}
    sizes = []
    for seed in range(seeds):
        values = ids(seed + 100, 0, max(ACCURACY))
        mine = Sketch()
        their = {kind: ds.hll_sketch(LG_K, t) for kind, t in KINDS.items()}
        done = 0
        for n in ACCURACY:
            mine.add_all(values[done:n])
            for sketch in their.values():
                for value in values[done:n]:
                    sketch.update(value)
            done = n
            estimates = {k: round(s.get_estimate()) for k, s in their.items()}
            assert estimates["HLL_4"] == estimates["HLL_8"]  # the same registers either way
            days = [values[d:n:DAYS] + values[(d - 1) % DAYS : n : DAYS] for d in range(DAYS)]
            found = {
                "ours": mine.count(),
                "DataSketches": estimates["HLL_4"],
                "ours, union": merged_count([ours(d) for d in days]),
                "DataSketches, union": ds_count([theirs(d, ds.HLL_4) for d in days]),
            }
            for name, estimate in found.items():
                errors.setdefault((name, n), []).append(estimate / n - 1)
            if seed == 0:
                forms = [(h.serialize_compact(), h.serialize_updatable()) for h in their.values()]
                sizes.append(
                    [
                        f"{n:,}",
                        f"{len(mine.encode()):,}",
                        *(f"{len(b):,}" for f in forms for b in f),
                    ]
                )
        print(f"  accuracy: seed {seed + 1} of {seeds}", flush=True)

    def summary(e: list[float]) -> str:
        rms = math.sqrt(sum(x * x for x in e) / len(e))
        worst = max(e, key=abs)
        return f"{100 * rms:.2f} / {100 * statistics.mean(e):+.2f} / {100 * worst:+.2f}"

    names = ("ours", "DataSketches", "ours, union", "DataSketches, union")
    rows = [[f"{n:,}", *(summary(errors[name, n]) for name in names)] for n in ACCURACY]
    return rows, sizes


def first_inexact(seed: int) -> dict[str, int]:
    """The first count at which a sketch (one id added at a time) or the union of two
    overlapping sketches (n - 100 ids each) reads other than the truth."""
    values = ids(seed + 200, 0, 1_000)
    mine, their = Sketch(), ds.hll_sketch(LG_K, ds.HLL_4)
    checks: dict[str, Callable[[int], int]] = {
        "ours": lambda n: mine.count(),
        "DataSketches": lambda n: round(their.get_estimate()),
        "ours, union": lambda n: merged_count([ours(values[: n - 100]), ours(values[100:n])]),
        "DataSketches, union": lambda n: ds_count(
            [theirs(values[: n - 100], ds.HLL_4), theirs(values[100:n], ds.HLL_4)]
        ),
    }
    found: dict[str, int] = {}
    for n, value in enumerate(values, 1):
        mine.add(value)
        their.update(value)
        for name, check in checks.items():
            if n > 200 and name not in found and check(n) != n:
                found[name] = n
        if len(found) == len(checks):
            break
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=11, help="timed samples per case")
    parser.add_argument("--seeds", type=int, default=16, help="streams per cardinality")
    args = parser.parse_args()
    info = describe()
    version = importlib.metadata.version("datasketches")
    print(f"{info['CPU']}, {info['cores']} cores, Python {info['Python']}, datasketches {version}")
    print(f"EventLens at {revision(ROOT)}; {args.reps} samples a case, {args.seeds} seeds")
    query_rows = query(args.reps)
    projection_rows = projection(args.reps)
    accuracy_rows, size_rows = accuracy(args.seeds)
    inexact = [first_inexact(seed) for seed in range(args.seeds)]
    ms = "ms: median (min-max)"
    tables = [
        (
            "30-day query, one metric: deserialise, merge, estimate",
            f"adaptors|distinct a day|sketches|ours {ms}|DataSketches HLL_4|DataSketches HLL_8|"
            "HLL_4 held deserialised|HLL_4 / ours|HLL_8 / ours".split("|"),
            query_rows,
        ),
        (
            "Projection: decode one day's sketch, add a batch of new ids, encode",
            ["ids in the day", "batch", f"ours {ms}", "HLL_4", "HLL_8", "HLL_4 / ours"],
            projection_rows,
        ),
        (
            f"Relative error in %, over {args.seeds} seeds: RMS / mean (bias) / worst",
            ["distinct", "ours", "DataSketches", "ours, 30-day union", "DataSketches, union"],
            accuracy_rows,
        ),
        (
            "Serialized bytes",
            [
                "distinct",
                "ours",
                "HLL_4 compact",
                "HLL_4 updatable",
                "HLL_8 compact",
                "HLL_8 updatable",
            ],
            size_rows,
        ),
    ]
    for title, columns, rows in tables:
        print(f"\n{title}\n\n{markdown(columns, rows)}")
    print("\nFirst count that is not exact (smallest over the seeds): ", end="")
    print(", ".join(f"{name} {min(f[name] for f in inexact):,}" for name in inexact[0]))


if __name__ == "__main__":
    main()
