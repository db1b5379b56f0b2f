"""Per-client token buckets: a steady rate, bursts of twice it, and batches that cost per event."""

from __future__ import annotations

import pytest

from eventlens.api.rate_limit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_client_may_burst_to_twice_the_rate_then_waits(clock: Clock) -> None:
    limiter = RateLimiter(10, clock=clock)

    assert [limiter.allow("a") for _ in range(20)] == [0.0] * 20
    assert limiter.allow("a") == pytest.approx(0.1)


def test_tokens_come_back_at_the_rate(clock: Clock) -> None:
    limiter = RateLimiter(10, clock=clock)
    limiter.allow("a", 20)

    clock.now += 0.5

    assert limiter.allow("a", 5) == 0.0
    assert limiter.allow("a") == pytest.approx(0.1)


def test_clients_have_buckets_of_their_own(clock: Clock) -> None:
    limiter = RateLimiter(10, clock=clock)
    limiter.allow("a", 20)

    assert limiter.allow("b", 20) == 0.0
    assert limiter.allow("a") > 0


def test_a_refused_request_is_not_charged(clock: Clock) -> None:
    limiter = RateLimiter(10, clock=clock)
    limiter.allow("a", 15)

    assert limiter.allow("a", 10) == pytest.approx(0.5)
    assert limiter.allow("a", 5) == 0.0


def test_a_request_dearer_than_the_burst_passes_on_a_full_bucket_and_leaves_a_debt(
    clock: Clock,
) -> None:
    limiter = RateLimiter(10, clock=clock)

    assert limiter.allow("a", 100) == 0.0  # 20 in the bucket, 80 owed
    assert limiter.allow("a") == pytest.approx(8.1)

    clock.now += 8.2
    assert limiter.allow("a") == 0.0


def test_a_request_dearer_than_the_burst_waits_for_a_full_bucket(clock: Clock) -> None:
    limiter = RateLimiter(10, clock=clock)
    limiter.allow("a", 5)

    assert limiter.allow("a", 100) == pytest.approx(0.5)


def test_a_rate_of_zero_turns_the_limit_off(clock: Clock) -> None:
    limiter = RateLimiter(0, clock=clock)

    assert not limiter.enabled
    assert limiter.allow("a", 1_000_000) == 0.0


def test_a_free_check_passes_a_client_with_tokens_and_stops_one_in_debt(clock: Clock) -> None:
    limiter = RateLimiter(10, clock=clock)

    assert limiter.allow("a", 0) == 0.0
    limiter.allow("a", 50)  # 30 owed

    assert limiter.allow("a", 0) == pytest.approx(3.0)
