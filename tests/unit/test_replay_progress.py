"""What `eventlens replay` prints while it rebuilds (lines when not on a terminal)."""

from __future__ import annotations

import io
import re
import time

from eventlens.projections.replay import Progress, ProgressReporter


def report(done: int, total: int) -> str:
    out = io.StringIO()
    ProgressReporter(out)(Progress("events", done, total, time.monotonic() - 2.0), True)
    return out.getvalue()


def test_progress_lines_show_done_total_share_rate_and_time_left() -> None:
    line = report(500, 1000)
    assert re.fullmatch(r"events: 500/1,000 events \(50%\) 2\d\d ev/s ETA \ds\n", line), line


def test_a_projection_with_nothing_to_replay_is_reported_done() -> None:
    assert report(0, 0).startswith("events: 0/0 events (100%) 0 ev/s ETA 0s")


def drain(batches: list[int], until: int) -> int:
    """Run a replay's drain over batches of these sizes (0: the reader waited, found none)."""
    from eventlens.projections.replay import _drain

    sizes = iter(batches)
    applied = [0]

    def step() -> int:
        size = next(sizes)
        applied[0] += size
        return size

    progress = Progress("events", 0, until, time.monotonic())
    _drain(
        step,
        lambda: applied[0],
        progress,
        "no database: done within the first second",
        None,
        until,
    )
    return progress.done


def test_a_drain_under_steady_traffic_ends_at_the_events_recorded_when_it_began() -> None:
    assert drain([30] * 1000, until=100) == 120  # no batch ever comes back empty


def test_a_drain_waits_through_a_reader_still_joining_its_group_for_the_first_events() -> None:
    assert drain([0, 0, 0, 40, 60, 5], until=100) == 100


def test_a_drain_ends_on_a_quiet_moment_once_it_has_read() -> None:
    # A Kafka topic's offsets may count more than its events: the count is never reached.
    assert drain([50, 0, 99], until=100) == 50


def test_a_line_is_printed_once_however_often_the_same_progress_is_reported() -> None:
    out = io.StringIO()
    reporter = ProgressReporter(out, interval=0.0)
    progress = Progress("events", 1000, 1000, time.monotonic() - 2.0)

    reporter(progress, False)
    reporter(progress, False)
    reporter(progress, True)

    assert len(out.getvalue().splitlines()) == 1, out.getvalue()
