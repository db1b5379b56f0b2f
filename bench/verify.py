"""Exactly-once checks: a run's numbers are reported only if every event arrived once.

Every load-generator run stamps its tag on all its event ids. After a run (and after the
projections caught up) each system counts the events of each tag where they end up; the count
must lie between what was acknowledged (2xx answers) and what was sent (acknowledged plus the
requests still in flight when wrk stopped, at most one per connection), the store and the read
models must agree, and nothing may be there that no run sent. For EventLens this count is the
cross-check: its loads are checked per event too (`bench.ledger`, the ids wrk recorded).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bench.core import BenchmarkFailure


@dataclass(frozen=True)
class SentEvents:
    """What one run sent: `tag` starts every event id, `acknowledged` events got a 2xx."""

    tag: str
    acknowledged: int
    sent: int
    label: str


class EventCounter(Protocol):
    """How one system under test is asked what arrived."""

    def wait_settled(self) -> None:
        """Wait until in-flight requests finished and the read models caught up."""

    def count_tags(self, tags: Sequence[str]) -> dict[str, int]:
        """Events per tag where they end up (raises if its stores disagree)."""

    def check_total(self, expected: int) -> None:
        """Raise unless the system holds exactly `expected` events in total, none rejected."""


@dataclass
class Ledger:
    """Every run sent to one system, and how far they have been verified."""

    system: str
    runs: list[SentEvents] = field(default_factory=list)
    verified_total: int = 0
    _verified: int = 0

    def add(self, run: SentEvents) -> None:
        self.runs.append(run)

    def verify(self, counter: EventCounter) -> int:
        """Check the runs added since the last call; returns the events they delivered."""
        fresh = self.runs[self._verified :]
        counter.wait_settled()
        counts = counter.count_tags([run.tag for run in fresh])
        delivered = check_bounds(self.system, fresh, counts)
        self.verified_total += delivered
        counter.check_total(self.verified_total)
        self._verified = len(self.runs)
        return delivered


def check_bounds(system: str, runs: Sequence[SentEvents], counts: Mapping[str, int]) -> int:
    total = 0
    for run in runs:
        seen = counts.get(run.tag, 0)
        if not run.acknowledged <= seen <= run.sent:
            raise BenchmarkFailure(
                f"{system}: run {run.label} ({run.tag}) acknowledged {run.acknowledged} and sent "
                f"{run.sent} events, but {seen} arrived: events were lost or duplicated"
            )
        total += seen
    return total


def wait_until(
    what: str, done: Callable[[], tuple[bool, int]], stall_timeout: float = 60.0
) -> float:
    """Poll `done` (returning (finished, progress)) until finished; fail if progress stalls.
    Returns the seconds waited."""
    started = time.monotonic()
    last_progress, last_change = None, started
    while True:
        finished, progress = done()
        if finished:
            return time.monotonic() - started
        now = time.monotonic()
        if progress != last_progress:
            last_progress, last_change = progress, now
        elif now - last_change > stall_timeout:
            raise BenchmarkFailure(f"{what}: no progress for {stall_timeout:.0f}s (at {progress})")
        time.sleep(0.25)
