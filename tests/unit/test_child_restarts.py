"""A child process that keeps failing as soon as it starts (its database away) is started
again less and less often, up to a ceiling; one that ran for a while, at once again."""

from __future__ import annotations

from eventlens.children import MAX_RESTART_DELAY, RESTART_DELAY, STEADY_AFTER, restart_delay


def test_a_child_that_fails_at_start_waits_twice_as_long_each_time_up_to_the_ceiling() -> None:
    delays = []
    delay = RESTART_DELAY / 2
    for _ in range(8):
        delay = restart_delay(delay, ran_for=0.5)
        delays.append(delay)
    assert delays[:4] == [RESTART_DELAY, 2 * RESTART_DELAY, 4 * RESTART_DELAY, 8 * RESTART_DELAY]
    assert max(delays) == MAX_RESTART_DELAY == delays[-1]


def test_a_child_that_ran_steadily_is_started_again_after_the_short_delay() -> None:
    assert restart_delay(MAX_RESTART_DELAY, ran_for=STEADY_AFTER) == RESTART_DELAY
    assert restart_delay(RESTART_DELAY / 2, ran_for=3600) == RESTART_DELAY
