"""The processes `eventlens up` runs beside itself: the projection workers and extra API
processes. Each is an `eventlens` command in a child process that stops when its parent
dies (even by SIGKILL) and is started again if it exits on its own."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

log = logging.getLogger(__name__)

RESTART_DELAY = 1.0  # seconds: a child that keeps failing does not spin
# A child that exits again soon after a restart (its database away, say) waits twice as long
# each time, up to this; one that ran for a while is started again after RESTART_DELAY.
MAX_RESTART_DELAY = 8.0
STEADY_AFTER = 10.0  # seconds of running after which an exit is not a failing start


def restart_delay(previous: float, ran_for: float) -> float:
    """How long to wait before starting a child again that exited after running `ran_for`
    seconds, the last wait having been `previous`."""
    if ran_for >= STEADY_AFTER:
        return RESTART_DELAY
    return min(max(previous * 2, RESTART_DELAY), MAX_RESTART_DELAY)


class ChildProcess:
    def __init__(
        self,
        name: str,
        args: Sequence[str],
        env: dict[str, str],
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.name = name
        self._args = [sys.executable, "-m", "eventlens.cli", *args]
        self._env = {**os.environ, **env}
        self._pass_fds = tuple(pass_fds)
        self._process: subprocess.Popen[bytes] | None = None
        self._exited_at: float | None = None
        self._started_at = 0.0
        self._delay = RESTART_DELAY / 2  # doubled to RESTART_DELAY by the first quick exit
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self._process = subprocess.Popen(
            self._args,
            env=self._env,
            pass_fds=self._pass_fds,
            # Out of the terminal's process group: Ctrl-C reaches the parent, which stops its
            # children in order instead of racing them.
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only sets the parent-death signal
        )
        self._exited_at = None
        self._started_at = time.monotonic()

    def keep_alive(self) -> None:
        """Start the child again if it exited (called periodically by the parent)."""
        if self._process is None or self._process.poll() is None:
            return
        now = time.monotonic()
        if self._exited_at is None:
            self._exited_at = now
            self._delay = restart_delay(self._delay, now - self._started_at)
            log.error(
                "%s exited with status %s; starting it again in %.0f s",
                self.name,
                self._process.returncode,
                self._delay,
            )
        if now - self._exited_at >= self._delay:
            self.restarts += 1
            log.warning("starting %s again (restart %d)", self.name, self.restarts)
            self.start()

    def stop(self, timeout: float = 15.0) -> None:
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _die_with_parent() -> None:
    import ctypes
    import ctypes.util

    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
