"""Latency percentiles (nearest rank over the measured samples, no interpolation)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(samples: Sequence[float], pct: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least `pct` % at or below it."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def percentiles(samples: Sequence[float], pcts: Iterable[float]) -> dict[float, float]:
    ordered = sorted(samples)
    return {p: percentile(ordered, p) for p in pcts}
