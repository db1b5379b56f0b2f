"""Server processes the benchmarks start: launched, awaited, and always stopped by pid."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.core import PYTHONPATH, ROOT, BenchmarkFailure

# Below Linux's ephemeral ports (32768-60999 by default), so no outgoing connection of the
# load generators takes a server's port between its choice and its bind.
PORTS = range(20_000, 32_768)


def free_port() -> int:
    while True:
        port = random.randrange(PORTS.start, PORTS.stop)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # loopback only
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


@dataclass
class ManagedProcess:
    """A process the benchmarks started, its output in `log`."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def pids(self) -> list[int]:
        return [self.pid] if self.process.poll() is None else []

    def tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BenchmarkFailure(
                f"{self.name} exited with {self.process.returncode}:\n{self.tail()}"
            )

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM this pid (a clean shutdown), SIGKILL it if it does not exit in time."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


@dataclass
class ServerProcess(ManagedProcess):
    """A server listening on 127.0.0.1:`port`."""

    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, health_path: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            if http_ok(self.base_url + health_path):
                return
            time.sleep(0.2)
        raise BenchmarkFailure(f"{self.name} not ready after {timeout:.0f}s:\n{self.tail()}")


@contextlib.contextmanager
def server_process(
    name: str,
    args: list[str],
    port: int,
    log: Path,
    env: dict[str, str] | None = None,
    health_path: str = "/health",
    ready_timeout: float = 120.0,
) -> Iterator[ServerProcess]:
    """Start `args` (a server on `port`), wait until `health_path` answers 200, stop it after."""
    full_env = {**os.environ, "PYTHONPATH": PYTHONPATH, **(env or {})}
    with log.open("ab") as out:
        process = subprocess.Popen(
            args, cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    server = ServerProcess(name, process, log, port)
    try:
        server.wait_ready(health_path, ready_timeout)
        yield server
    finally:
        server.stop()


def uvicorn_args(app: str, port: int) -> list[str]:
    """One uvicorn process with the same server stack `eventlens up` uses (uvloop, httptools)."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--timeout-graceful-shutdown",
        "5",
    ]
