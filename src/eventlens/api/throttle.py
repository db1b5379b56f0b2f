"""Login throttling: after repeated failures a username or client must wait."""

from __future__ import annotations

import time
from collections import defaultdict, deque

WINDOW = 300.0
MAX_FAILURES = 5


class LoginThrottle:
    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW) -> None:
        self._max = max_failures
        self._window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def retry_after(self, *keys: str) -> int:
        """Seconds until another attempt is allowed for these keys (0: allowed now)."""
        now = time.monotonic()
        wait = 0.0
        for key in keys:
            failures = self._failures.get(key)
            if not failures:
                continue
            while failures and now - failures[0] > self._window:
                failures.popleft()
            if len(failures) >= self._max:
                wait = max(wait, self._window - (now - failures[0]))
        return int(wait) + 1 if wait else 0

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        for key in keys:
            self._failures[key].append(now)
        if len(self._failures) > 100_000:  # bound memory under a spray of usernames
            self._failures.clear()

    def succeeded(self, *keys: str) -> None:
        for key in keys:
            self._failures.pop(key, None)
