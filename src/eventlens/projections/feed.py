"""Tells live subscribers that read models changed (PostgreSQL NOTIFY from the workers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from psycopg import sql

from eventlens.projections.worker import PROJECTED_CHANNEL

log = logging.getLogger(__name__)


class ProjectionFeed:
    """One LISTEN connection per process, fanned out to any number of waiters."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._changed = asyncio.Condition()
        self.version = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="projection-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_for_change(self, seen: int, timeout: float) -> int:
        """Wait until the version moves past `seen` (or the timeout); returns the version."""
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(lambda: self.version > seen), timeout)
            return self.version

    async def _listen(self) -> None:
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
                async with conn:
                    await conn.execute(
                        sql.SQL("LISTEN {}").format(sql.Identifier(PROJECTED_CHANNEL))
                    )
                    await self._bump()  # anything missed while reconnecting
                    async for _ in conn.notifies():
                        await self._bump()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("projection feed lost its connection (%s); reconnecting", error)
                await asyncio.sleep(1.0)

    async def _bump(self) -> None:
        async with self._changed:
            self.version += 1
            self._changed.notify_all()
