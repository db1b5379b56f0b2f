"""Per-client token buckets: a steady rate with bursts, in memory, bounded."""

from __future__ import annotations

import time
from collections.abc import Callable

MAX_CLIENTS = 100_000


class RateLimiter:
    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate * 2)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def allow(self, client: str, cost: float = 1.0) -> float:
        """0 when allowed (and charged); otherwise the seconds until it would be.

        A request dearer than the whole burst (a large batch) would never fit in the bucket:
        it is let through when the bucket is full and leaves it in debt, so the client then
        waits until the debt is paid back at `rate`.
        """
        if not self.enabled:
            return 0.0
        now = self._clock()
        tokens, last = self._buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        needed = min(cost, self.burst)
        if tokens < needed:
            self._buckets[client] = (tokens, now)
            return (needed - tokens) / self.rate
        if len(self._buckets) >= MAX_CLIENTS and client not in self._buckets:
            self._buckets.clear()  # a flood of addresses: forget, rather than grow
        self._buckets[client] = (tokens - cost, now)
        return 0.0
