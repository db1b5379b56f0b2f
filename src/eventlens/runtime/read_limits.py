"""What one user may hold open and run at once on the read side of one API process: GraphQL
WebSockets, subscriptions, and costly reads (those that scan the event tables), so that one user
cannot take every connection of the read pool from the others."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from eventlens.config import Settings
from eventlens.domain.errors import TooManyRequests

# A costly read waits for one of its user's slots as long as a query may run: a dashboard page
# asks many at once, and a busy server answers each in seconds. The queue is bounded instead.
COSTLY_READ_WAIT = 10.0
COSTLY_READS_WAITING = 32  # reads of one user that may wait at once; more are refused at once


@dataclass(frozen=True)
class ReadQuotas:
    sockets_per_user: int = 10
    subscriptions_per_user: int = 50
    costly_reads_per_user: int = 2
    costly_read_wait: float = COSTLY_READ_WAIT
    costly_reads_waiting_per_user: int = COSTLY_READS_WAITING

    @classmethod
    def of(cls, settings: Settings) -> ReadQuotas:
        return cls(
            sockets_per_user=settings.max_sockets_per_user,
            subscriptions_per_user=settings.max_subscriptions_per_user,
            costly_reads_per_user=settings.costly_reads_per_user,
        )


@dataclass
class _UserSlots:
    free: asyncio.Semaphore
    running: int = 0  # reads holding a slot
    waiting: int = 0  # requests waiting for one
    users: int = 0  # reads holding or waiting for a slot: the entry goes when none is left


@dataclass
class ReadLimits:
    quotas: ReadQuotas = field(default_factory=ReadQuotas)
    sockets: Counter[str] = field(default_factory=Counter)
    subscriptions: Counter[str] = field(default_factory=Counter)
    _slots: dict[str, _UserSlots] = field(default_factory=dict)

    def open_socket(self, user: str) -> None:
        limit = self.quotas.sockets_per_user
        if self.sockets[user] >= limit:
            raise TooManyRequests(
                f"{user} already holds {limit} GraphQL WebSockets, the most one user may "
                "(EVENTLENS_MAX_SOCKETS_PER_USER); close one first"
            )
        self.sockets[user] += 1

    def close_socket(self, user: str) -> None:
        _count_out(self.sockets, user)

    @asynccontextmanager
    async def subscription(self, user: str) -> AsyncIterator[None]:
        """Hold one of the user's subscriptions while the block runs."""
        limit = self.quotas.subscriptions_per_user
        if self.subscriptions[user] >= limit:
            raise TooManyRequests(
                f"{user} already runs {limit} subscriptions, the most one user may "
                "(EVENTLENS_MAX_SUBSCRIPTIONS_PER_USER); complete one first"
            )
        self.subscriptions[user] += 1
        try:
            yield
        finally:
            _count_out(self.subscriptions, user)

    @asynccontextmanager
    async def costly_read(self, user: str, *, patient: bool = False) -> AsyncIterator[None]:
        """Hold one of the user's costly-read slots while the block runs. A request waits a
        moment for one, then is refused; a subscription (`patient`) waits its turn."""
        slots = self._slots.get(user)
        if slots is None:
            slots = self._slots[user] = _UserSlots(
                asyncio.Semaphore(self.quotas.costly_reads_per_user)
            )
        slots.users += 1
        try:
            if patient:
                await slots.free.acquire()
            else:
                await self._acquire_soon(slots)
            slots.running += 1
            try:
                yield
            finally:
                slots.running -= 1
                slots.free.release()
        finally:
            slots.users -= 1
            if slots.users == 0:
                del self._slots[user]

    async def _acquire_soon(self, slots: _UserSlots) -> None:
        limit = self.quotas.costly_reads_per_user
        if slots.free.locked() and slots.waiting >= self.quotas.costly_reads_waiting_per_user:
            raise TooManyRequests(
                f"this user already runs {limit} costly reads at once and "
                f"{slots.waiting} more wait, the most one user may "
                "(EVENTLENS_COSTLY_READS_PER_USER); retry when one has been answered"
            )
        slots.waiting += 1
        try:
            async with asyncio.timeout(self.quotas.costly_read_wait):
                await slots.free.acquire()
        except TimeoutError:
            raise TooManyRequests(
                f"this user already runs {limit} costly reads at once, the most one user may "
                "(EVENTLENS_COSTLY_READS_PER_USER), and none was answered in time; retry later"
            ) from None
        finally:
            slots.waiting -= 1

    def in_flight(self, user: str) -> int:
        """The user's costly reads holding a slot now."""
        slots = self._slots.get(user)
        return 0 if slots is None else slots.running


def _count_out(counts: Counter[str], user: str) -> None:
    counts[user] -= 1
    if counts[user] <= 0:
        del counts[user]
