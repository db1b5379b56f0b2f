"""`eventlens up` supervises its embedded PostgreSQL: a server that died (killed, crashed) is
started again on the same port and data directory, with back-off, so the API's pools and the
workers, which retry, reconnect to it without a restart of EventLens."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

CHECK_INTERVAL = 1.0  # seconds between looks at the server's process
FIRST_BACKOFF = 0.5  # seconds before the first restart; doubled after each failed one
MAX_BACKOFF = 30.0


def postmaster_pid(pgdata: Path) -> int | None:
    """The running server's process id from its lock file, or None when it does not run."""
    try:
        first = (pgdata / "postmaster.pid").read_text().split("\n", 1)[0].strip()
        pid = int(first)
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs as the service user: alive
        pass
    try:  # a zombie has exited: it only waits for its parent to reap it
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


class EmbeddedPostgresWatch:
    """Looks at the embedded server every second; restarts it when it is gone."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self._data_dir = data_dir
        self._pgdata = data_dir.resolve() / "postgres"
        self._port = port
        self._task: asyncio.Task[None] | None = None
        self.restarts = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch(), name="embedded-postgres-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(CHECK_INTERVAL)
            if postmaster_pid(self._pgdata) is None:
                await self._restart()

    async def _restart(self) -> None:
        from eventlens import embedded_postgres

        backoff = FIRST_BACKOFF
        log.error(
            "the embedded PostgreSQL is not running (it exited or was killed); restarting it "
            "on port %d",
            self._port,
        )
        while True:
            await asyncio.sleep(backoff)
            attempt = self.restarts + 1
            try:
                if not embedded_postgres.port_free(self._port):
                    raise RuntimeError(f"port {self._port} is still taken")
                await asyncio.to_thread(embedded_postgres.start, self._data_dir, self._port)
            except Exception as problem:
                backoff = min(backoff * 2, MAX_BACKOFF)
                log.error(
                    "restarting the embedded PostgreSQL failed (%s); trying again in %.1f s",
                    str(problem).strip().splitlines()[-1] if str(problem).strip() else problem,
                    backoff,
                )
                continue
            self.restarts = attempt
            log.warning(
                "restarted the embedded PostgreSQL on port %d (restart %d)", self._port, attempt
            )
            return
