"""The bare-ASGI and FastAPI+pydantic baselines: they store nothing and count what they parse."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence

import psutil

from bench.baselines.counting import COUNTS_PATH
from bench.core import BenchmarkFailure, RunContext
from bench.http import request_json
from bench.procs import free_port, server_process, uvicorn_args
from bench.targets import Target

APPS = {
    "bare-asgi": (
        "bench.baselines.bare_asgi:app",
        "bare ASGI, orjson parse, 202 (no framework, no validation, no storage)",
    ),
    "fastapi-pydantic": (
        "bench.baselines.fastapi_pydantic:app",
        "FastAPI + pydantic validation, 202 (no storage)",
    ),
}


class CountingEndpoint:
    """Asks a baseline how many events of each tag it parsed."""

    def __init__(self, base_url: str) -> None:
        self.url = base_url + COUNTS_PATH

    def _counts(self) -> dict[str, int]:
        status, body = request_json("GET", self.url)
        if status != 200 or not isinstance(body, dict):
            raise BenchmarkFailure(f"could not read the baseline's counts: {status} {body}")
        return {str(k): int(v) for k, v in body.items()}

    def wait_settled(self) -> None:
        time.sleep(0.5)  # requests in flight when wrk stopped

    def count_tags(self, tags: Sequence[str]) -> dict[str, int]:
        counts = self._counts()
        return {tag: counts.get(tag, 0) for tag in tags}

    def check_total(self, expected: int) -> None:
        total = sum(self._counts().values())
        if total != expected:
            raise BenchmarkFailure(
                f"baseline parsed {total} events, the runs account for {expected}"
            )


@contextlib.contextmanager
def baseline(ctx: RunContext, name: str) -> Iterator[Target]:
    app, description = APPS[name]
    port = free_port()
    log = ctx.scratch("logs") / f"{name}.log"
    with server_process(name, uvicorn_args(app, port), port, log) as server:

        def app_pids() -> list[int]:
            return [server.pid] if psutil.pid_exists(server.pid) else []

        yield Target(
            name=name,
            description=description,
            base_url=server.base_url,
            container_id="CAP-BASELINE",
            counter=CountingEndpoint(server.base_url),
            batch=True,
            cpu_groups={"app": app_pids},
        )
