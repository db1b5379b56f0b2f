"""The expected value of a site's traffic, and whether an hour's traffic departs from it.

A robust seasonal baseline: the same hour of the same weekday in each of the previous weeks
(traffic has a daily and a weekly rhythm, so last Monday 10:00 says more about this Monday
10:00 than yesterday 10:00 does). The expected value is those hours' median, the spread their
median absolute deviation (MAD) scaled by 1.4826 so it estimates a standard deviation for
normal data. Both ignore a minority of odd weeks (a past incident, a launch), which a mean and
a standard deviation would not.

With four or so weeks the MAD can come out near zero by chance (two weeks with the same
count), so the spread used is never less than the square root of the expected count: the
noise of a count (Poisson) that no amount of regularity removes.

An hour is anomalous when it departs from the median by more than `threshold` times that
spread and by at least `min_change` in absolute terms: the floor keeps a tiny site (3
visitors against an expected 1) and a site with no traffic at all from firing on noise.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

MAD_SCALE = 1.4826  # MAD x 1.4826 estimates the standard deviation of normal data
MIN_HISTORY = 3  # weeks with data needed before a judgement is made


class Direction(StrEnum):
    SPIKE = "spike"
    DROP = "drop"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Baseline:
    expected: float
    scaled_mad: float
    samples: int

    @property
    def spread(self) -> float:
        """The scaled MAD, but never below a count's own noise (Poisson: the square root)."""
        return max(self.scaled_mad, math.sqrt(max(self.expected, 0.0)))


@dataclass(frozen=True, slots=True)
class TrafficVerdict:
    """How an observed value compares with its baseline; `anomaly` is None when it does
    not depart (or when there is too little history to say)."""

    observed: float
    baseline: Baseline | None
    anomaly: Direction | None

    @property
    def expected(self) -> float | None:
        return None if self.baseline is None else self.baseline.expected


def seasonal_baseline(history: Sequence[float | None]) -> Baseline | None:
    """The median and scaled MAD of the same hour of previous weeks; None (missing) samples,
    weeks before the site existed, are left out. None with fewer than MIN_HISTORY samples."""
    samples = [float(v) for v in history if v is not None]
    if len(samples) < MIN_HISTORY:
        return None
    median = statistics.median(samples)
    mad = statistics.median(abs(v - median) for v in samples)
    return Baseline(expected=median, scaled_mad=MAD_SCALE * mad, samples=len(samples))


def judge_traffic(
    observed: float,
    history: Sequence[float | None],
    *,
    direction: Direction = Direction.BOTH,
    threshold: float = 3.0,
    min_change: float = 10.0,
) -> TrafficVerdict:
    baseline = seasonal_baseline(history)
    if baseline is None:
        return TrafficVerdict(observed, None, None)
    needed = max(threshold * baseline.spread, min_change)
    deviation = observed - baseline.expected
    anomaly: Direction | None = None
    if deviation > needed and direction in (Direction.SPIKE, Direction.BOTH):
        anomaly = Direction.SPIKE
    elif -deviation > needed and direction in (Direction.DROP, Direction.BOTH):
        anomaly = Direction.DROP
    return TrafficVerdict(observed, baseline, anomaly)


def same_hour_history(series: Sequence[float | None], weeks: int) -> list[float | None]:
    """From an hourly series ending with the hour judged, the values one, two... `weeks`
    weeks (168 hours apart) before it; those before the series began are None."""
    last = len(series) - 1
    return [series[last - 168 * k] if last - 168 * k >= 0 else None for k in range(1, weeks + 1)]
