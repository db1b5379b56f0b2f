"""The seasonal baseline of traffic alerts, on synthetic hourly series with known anomalies."""

from __future__ import annotations

import math
import random

from eventlens.domain.baseline import (
    MAD_SCALE,
    Direction,
    TrafficVerdict,
    judge_traffic,
    same_hour_history,
    seasonal_baseline,
)

WEEK = 168


def weekly_series(weeks: int, seed: int = 7) -> list[float | None]:
    """Hourly visitors with a daily rhythm (busy afternoons), quiet weekends and noise."""
    rng = random.Random(seed)
    series: list[float | None] = []
    for hour in range(weeks * WEEK):
        day, hour_of_day = divmod(hour % WEEK, 24)
        level = 200 + 150 * math.sin((hour_of_day - 6) / 24 * 2 * math.pi)
        if day >= 5:
            level *= 0.3
        series.append(round(level + rng.gauss(0, 8)))
    return series


def judged(series: list[float | None], direction: Direction = Direction.BOTH) -> TrafficVerdict:
    *_, observed = series
    assert observed is not None
    return judge_traffic(observed, same_hour_history(series, 4), direction=direction)


def test_given_weekly_seasonality_when_an_ordinary_hour_is_judged_then_no_anomaly() -> None:
    series = weekly_series(5)
    for end in range(4 * WEEK, 5 * WEEK, 7):  # every 7th hour of the fifth week
        verdict = judged(series[: end + 1])
        assert verdict.anomaly is None, (end, verdict)


def test_given_a_quiet_weekend_hour_then_its_expected_value_is_last_weekends_not_weekdays() -> None:
    series = weekly_series(5)
    saturday_noon = 4 * WEEK + 5 * 24 + 12
    verdict = judged(series[: saturday_noon + 1])
    assert verdict.expected is not None
    assert verdict.expected < 150  # weekday noons are ~330
    assert verdict.anomaly is None


def test_given_a_spike_injected_into_the_series_then_it_is_judged_a_spike() -> None:
    series = weekly_series(5)
    hour = 4 * WEEK + 2 * 24 + 15
    series[hour] = (series[hour] or 0) * 3
    verdict = judged(series[: hour + 1])
    assert verdict.anomaly is Direction.SPIKE


def test_given_a_drop_in_the_series_then_it_is_judged_a_drop() -> None:
    series = weekly_series(5)
    hour = 4 * WEEK + 24 + 14
    series[hour] = 5
    assert judged(series[: hour + 1]).anomaly is Direction.DROP


def test_given_a_rule_for_spikes_only_then_a_drop_does_not_fire() -> None:
    series = weekly_series(5)
    hour = 4 * WEEK + 24 + 14
    series[hour] = 5
    verdict = judged(series[: hour + 1], direction=Direction.SPIKE)
    assert verdict.anomaly is None


def test_given_a_flat_zero_series_then_zero_is_no_anomaly_and_the_floor_holds_off_noise() -> None:
    zeros: list[float | None] = [0.0] * (4 * WEEK + 1)
    assert judged(zeros).anomaly is None
    zeros[-1] = 3  # MAD 0: without the floor any visitor at all would be "infinitely" odd
    assert judged(zeros).anomaly is None
    zeros[-1] = 40
    assert judged(zeros).anomaly is Direction.SPIKE


def test_given_a_short_history_then_no_judgement_is_made() -> None:
    series = weekly_series(2)  # only one earlier week for the last hour... and one more
    series[-1] = 10_000
    verdict = judged(series)
    assert verdict.baseline is None
    assert verdict.anomaly is None


def test_given_one_odd_week_in_the_history_then_the_median_ignores_it() -> None:
    baseline = seasonal_baseline([100, 104, 5_000, 98])
    assert baseline is not None
    assert baseline.expected == 102
    assert baseline.scaled_mad == MAD_SCALE * 3  # deviations 2, 2, 4898, 4 -> median 3


def test_given_weeks_that_happen_to_agree_then_the_spread_is_still_a_counts_noise() -> None:
    baseline = seasonal_baseline([49, 49, 49, 52])
    assert baseline is not None
    assert baseline.scaled_mad == 0
    assert baseline.spread == 7  # the square root of 49
    verdict = judge_traffic(38, [49, 49, 49, 52], threshold=3, min_change=5)
    assert verdict.anomaly is None  # 11 below, within 3 x 7


def test_same_hour_history_takes_the_hour_168_hours_apart() -> None:
    series: list[float | None] = [float(i) for i in range(2 * WEEK + 1)]
    assert same_hour_history(series, 3) == [float(WEEK), 0.0, None]
