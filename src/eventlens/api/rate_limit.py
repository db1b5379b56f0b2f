"""Per-client token buckets: a steady rate with bursts, in memory, bounded."""

from __future__ import annotations

import time

MAX_CLIENTS = 100_000


class RateLimiter:
    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(1.0, rate * 2)
        self._buckets: dict[str, tuple[float, float]] = {}

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def allow(self, client: str, cost: float = 1.0) -> float:
        """0 when allowed (and charged); otherwise the seconds until it would be."""
        if not self.enabled:
            return 0.0
        now = time.monotonic()
        tokens, last = self._buckets.get(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens < cost:
            self._buckets[client] = (tokens, now)
            return (cost - tokens) / self.rate
        if len(self._buckets) >= MAX_CLIENTS and client not in self._buckets:
            self._buckets.clear()  # a flood of addresses: forget, rather than grow
        self._buckets[client] = (tokens - cost, now)
        return 0.0
