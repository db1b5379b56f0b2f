from __future__ import annotations

import pytest

from eventlens.projections.distinct_count import (
    SPARSE_LIMIT,
    STANDARD_ERROR,
    M,
    Sketch,
    _register,
    hash64,
    merged_count,
)


def sketch_of(values: range, prefix: str = "s") -> Sketch:
    sketch = Sketch()
    for value in values:
        sketch.add(f"{prefix}{value}")
    return sketch


def test_small_sets_and_their_unions_are_counted_exactly() -> None:
    monday, tuesday = sketch_of(range(0, 300)), sketch_of(range(200, 450))
    assert monday.count() == 300
    assert merged_count([monday.encode(), tuesday.encode()]) == 450


def test_adding_a_value_twice_counts_it_once() -> None:
    sketch = sketch_of(range(10))
    sketch.add("s3")
    assert Sketch.decode(sketch.encode()).count() == 10


@pytest.mark.parametrize("n", [SPARSE_LIMIT + 1, 5_000, 60_000])
def test_large_sets_are_estimated_within_the_stated_error(n: int) -> None:
    estimate = sketch_of(range(n)).count()
    assert abs(estimate - n) / n < 4 * STANDARD_ERROR


def test_dense_and_sparse_sketches_merge_either_way() -> None:
    dense, sparse = sketch_of(range(5_000)), sketch_of(range(4_990, 5_010))
    total = 5_010
    for first, second in ((dense, sparse), (sparse, dense)):
        estimate = merged_count([first.encode(), second.encode()])
        assert abs(estimate - total) / total < 4 * STANDARD_ERROR


def test_the_vectorised_merge_counts_what_merging_sketch_by_sketch_counts() -> None:
    sketches = [sketch_of(range(i * 300, i * 300 + 400)) for i in range(8)]  # sparse, overlapping
    sketches.append(sketch_of(range(10_000, 12_000)))  # dense
    merged = Sketch()
    for sketch in sketches:
        merged.merge(sketch)
    assert merged_count(s.encode() for s in sketches) == merged.count()
    # Sparse only but more than the exact limit together: estimated like one sketch would be.
    assert merged_count(s.encode() for s in sketches[:8]) == sketch_of(range(0, 2_500)).count()


def reference_encoding(values: list[str]) -> bytes:
    """A sketch of these values by the definition: the exact hashes up to the limit, else each
    register the highest rank of the hashes that fall in it."""
    hashes = {hash64(v) for v in values}
    if len(hashes) <= SPARSE_LIMIT:
        return bytes([0]) + b"".join(h.to_bytes(8, "big") for h in sorted(hashes))
    registers = bytearray(M)
    for h in hashes:
        index, rank = _register(h)
        registers[index] = max(registers[index], rank)
    return bytes([1]) + bytes(registers)


@pytest.mark.parametrize("n", [0, 5, SPARSE_LIMIT, SPARSE_LIMIT + 1, 3_000])
@pytest.mark.parametrize("chunks", [1, 2, 7])
def test_adding_many_values_at_once_makes_the_sketch_adding_them_one_by_one_makes(
    n: int, chunks: int
) -> None:
    values = [f"session_{i}" for i in range(n)] + ["session_1", "session_2"]  # with repeats
    at_once = Sketch()
    step = len(values) // chunks + 1
    for start in range(0, len(values), step):
        at_once.add_all(values[start : start + step])
    one_by_one = Sketch()
    for value in values:
        one_by_one.add(value)
    expected = reference_encoding(values)
    assert at_once.encode() == expected
    assert one_by_one.encode() == expected
    assert Sketch.decode(expected).count() == at_once.count()
