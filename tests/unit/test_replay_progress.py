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
