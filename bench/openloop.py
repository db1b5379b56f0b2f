"""Open-loop latency: events sent at a constant rate, 50 % and 80 % of the closed-loop peak,
whatever the answers do (`bench.loadgen.paced`), latency counted from the time each event was
due (coordinated omission included, as wrk2 counts it), every acknowledged id then looked for
once in the store and in `event_logs`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.core import PYTHONPATH, ROOT, BenchmarkFailure
from bench.ledger import check_ledger
from bench.loadgen.paced import MARKER
from bench.loadgen.wrk import new_tag
from bench.targets import Target
from bench.targets.eventlens import KafkaStoreCounter

SHARES = (0.5, 0.8)
CONNECTIONS = 256  # enough that the rate never waits for a connection at these loads


def open_loop(target: Target, peak: float, seconds: float, scratch: Path) -> list[dict[str, Any]]:
    """The sender's results at each share of `peak` (events/s), each checked per event. Run
    after every closed-loop load of the system (its events are not in the runs' tag counts)."""
    found = []
    for share in SHARES:
        tag = new_tag()
        ledger = scratch / f"{target.name}-open-{tag}.ledger"
        args = [sys.executable, "-m", "bench.loadgen.paced", target.ingest_url]
        args += ["--rate", f"{share * peak:.0f}", "--duration", str(seconds), "--tag", tag]
        args += ["--connections", str(CONNECTIONS), "--container", target.container_id]
        args += ["--ledger", str(ledger)]
        with (scratch / f"{target.name}-open-{tag}.log").open("w") as err:
            done = subprocess.run(
                args,
                cwd=ROOT,
                env={**os.environ, "PYTHONPATH": PYTHONPATH},
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                timeout=seconds + 300,
                check=False,
            )
        line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
        if line is None:
            raise BenchmarkFailure(f"{target.name}: the open-loop sender printed no result")
        result: dict[str, Any] = json.loads(line.removeprefix(MARKER))
        if result["errors"]:
            raise BenchmarkFailure(f"{target.name}: open-loop requests failed: {result['errors']}")
        target.counter.wait_settled()
        counter = target.counter
        kafka = (counter.broker, counter.topic) if isinstance(counter, KafkaStoreCounter) else None
        assert target.database_url is not None
        checked = check_ledger(target.database_url, ledger, tag, kafka)
        if not checked.ok:
            raise BenchmarkFailure(f"{target.name}: open loop: {checked.summary()}")
        found.append({"share": share, "peak": peak, **result, "checked": checked.acknowledged})
        print(
            f"  open loop at {share:.0%} of {peak:,.0f}: {result['rate_achieved']:,.0f} events/s"
            f", p50 {result['p50_from_due_ms']} ms, p99 {result['p99_from_due_ms']} ms from due"
            f"; {checked.acknowledged:,} ids found once",
            flush=True,
        )
    return found
