"""Tracker traffic sent to an embedded `eventlens up` while something else is measured (reads
under ingest): `bench.loadgen.paced` on an open schedule, every acknowledged id in a ledger,
checked once in the store and in `event_logs` when the load stops."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.core import PYTHONPATH, ROOT, BenchmarkFailure
from bench.ledger import check_ledger
from bench.loadgen.paced import MARKER
from bench.loadgen.wrk import new_tag
from bench.services.eventlens import EventLens
from bench.targets.eventlens import PostgresStoreCounter

CONNECTIONS = 32
SETTLE_S = 2.0  # the load's first seconds, before anything is measured


@dataclass
class TrackerLoad:
    """What the load did, filled in when it stops: the paced generator's result and the
    ledger check's summary."""

    tag: str
    pid: int = 0  # the load generator's
    result: dict[str, Any] = field(default_factory=dict)
    ledger: str = ""

    @property
    def rate(self) -> float:
        return float(self.result.get("rate_achieved", 0))


@contextlib.contextmanager
def tracker_load(
    app: EventLens, container_id: str, rate: int, scratch: Path
) -> Iterator[TrackerLoad]:
    """Tracker events for `container_id` at `rate` a second until the block ends; then every
    acknowledged event must be projected and found exactly once (or the run fails)."""
    load = TrackerLoad(new_tag())
    ledger = scratch / f"{load.tag}.ledger"
    args = [sys.executable, "-m", "bench.loadgen.paced", app.server.base_url + "/api/events/ingest"]
    args += ["--tracker", "--rate", str(rate), "--connections", str(CONNECTIONS)]
    args += ["--tag", load.tag, "--container", container_id, "--ledger", str(ledger)]
    with (scratch / f"{load.tag}.log").open("w") as err:
        sender = subprocess.Popen(
            args,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": PYTHONPATH},
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
    load.pid = sender.pid
    try:
        time.sleep(SETTLE_S)
        yield load
    finally:
        sender.terminate()
        out, _ = sender.communicate(timeout=120)
    line = next((x for x in out.splitlines() if x.startswith(MARKER)), None)
    load.result = json.loads(line.removeprefix(MARKER)) if line else {}
    if not load.result or load.result.get("errors"):
        raise BenchmarkFailure(f"the ingest load failed: {load.result}")
    PostgresStoreCounter(app.database_url).wait_settled()
    checked = check_ledger(app.database_url, ledger, load.tag)
    if not checked.ok:
        raise BenchmarkFailure(checked.summary())
    load.ledger = checked.summary()
