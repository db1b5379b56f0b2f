from __future__ import annotations

import pytest

from eventlens.projections.distinct_count import SPARSE_LIMIT, STANDARD_ERROR, Sketch, merged_count


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
