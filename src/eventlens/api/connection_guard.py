"""Deadlines and limits for the connections one API process serves.

A connection must make progress: its first request byte within the idle deadline, its request
head within the header deadline, and its body within the body deadline; it is closed when it
does not. A process holds at most `max_connections` connections, and at most
`max_per_address` from one address (a trusted proxy's address is not counted: every client
behind it shares it). Deadlines are checked by one sweep a second, so a request's only cost
is noting when its current stage began.

A request answered before its body was read (a 413) lingers: the rest of its body is read and
discarded, up to `linger_bytes` and within `linger_timeout`, so that a client that sends its
whole body before reading gets the answer rather than a reset; beyond either it is closed.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

SWEEP_INTERVAL = 1.0  # seconds between two checks of the deadlines
NO_DEADLINE = math.inf


@dataclass(frozen=True)
class ConnectionLimits:
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    idle_timeout: float = 5.0
    max_connections: int = 10_000
    max_per_address: int = 256
    linger_bytes: int = 8 * 1024 * 1024
    linger_timeout: float = 3.0


class Guarded(Protocol):
    """A connection as the guard sees it."""

    deadline: float

    def deadline_passed(self) -> None: ...


@dataclass
class ConnectionGuard:
    """The connections of one process, their count per address, and the deadline sweep."""

    limits: ConnectionLimits
    trusted: Any = None  # addresses exempt from the per-address limit (`in` is asked)
    live: set[Guarded] = field(default_factory=set)
    per_address: Counter[str] = field(default_factory=Counter)
    _sweeper: asyncio.TimerHandle | None = None

    def admit(self, connection: Guarded, address: str | None) -> tuple[int, str] | None:
        """Count the connection in, or answer why it is refused (a status and a message)."""
        if len(self.live) >= self.limits.max_connections:
            limit = self.limits.max_connections
            return 503, f"the server holds its limit of {limit} connections; try again later"
        if address is not None and not self._is_trusted(address):
            if self.per_address[address] >= self.limits.max_per_address:
                limit = self.limits.max_per_address
                return 429, f"this address holds its limit of {limit} open connections"
            self.per_address[address] += 1
        self.live.add(connection)
        if self._sweeper is None:
            self._sweeper = asyncio.get_running_loop().call_later(SWEEP_INTERVAL, self.sweep)
        return None

    def release(self, connection: Guarded, address: str | None) -> None:
        """Count the connection out (once; again is a no-op)."""
        if connection not in self.live:
            return
        self.live.discard(connection)
        if address is not None and address in self.per_address:
            self.per_address[address] -= 1
            if self.per_address[address] <= 0:
                del self.per_address[address]

    def sweep(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for connection in [c for c in self.live if c.deadline <= now]:
            connection.deadline = NO_DEADLINE
            connection.deadline_passed()
        self._sweeper = loop.call_later(SWEEP_INTERVAL, self.sweep) if self.live else None

    def _is_trusted(self, address: str) -> bool:
        return self.trusted is not None and address in self.trusted
