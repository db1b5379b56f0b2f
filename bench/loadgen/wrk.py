"""Run `wrk` (a C load generator, in its own process) with the ingest Lua script.

With a ledger, every thread of the script writes the ids it sent and its 2xx answers to files
of its own; `merge_ledger` turns them into the ledger `bench.ledger` checks: the ids the
answers accepted, and the ids sent without an acknowledgement (in flight when wrk stopped, or
refused).
"""

from __future__ import annotations

import json
import os
import re
import resource
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.core import BenchmarkFailure
from bench.loadgen.clients import clients_file

SCRIPT = Path(__file__).with_name("ingest.lua")
MARKER = "BENCH_RESULT "
USERS = 20_000  # the script's defaults
USER_PREFIX = "user_1732780000000_"


def ensure_wrk() -> str:
    """The `wrk` executable; installed from the Debian package when missing (as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for args in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
            subprocess.run(args, check=True, env=env, capture_output=True, timeout=600)
        found = shutil.which("wrk")
        if found:
            return found
    raise BenchmarkFailure("wrk is not installed: install it (e.g. `apt-get install wrk`)")


def new_tag() -> str:
    return secrets.token_hex(4)


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: `tag` is the first 32 bits of every event id it sent."""

    tag: str
    connections: int
    events_per_request: int
    requests: int  # responses received within the duration
    sent: int  # requests generated (some may have been in flight when wrk stopped)
    duration_s: float
    errors: dict[str, int]
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    cpu_s: float  # CPU time wrk itself used
    ledger: Path | None = None  # where its acknowledged ids were appended (bench.ledger)

    @property
    def ok_requests(self) -> int:
        return self.requests - self.errors["status"]

    @property
    def events_acknowledged(self) -> int:
        return self.ok_requests * max(self.events_per_request, 1)

    @property
    def events_sent(self) -> int:
        return self.sent * max(self.events_per_request, 1)

    @property
    def requests_per_s(self) -> float:
        return self.ok_requests / self.duration_s

    @property
    def events_per_s(self) -> float:
        return self.events_acknowledged / self.duration_s

    def check(self) -> None:
        """A run with failed requests is broken: its numbers must not be reported."""
        failed = {k: v for k, v in self.errors.items() if v}
        if failed:
            raise BenchmarkFailure(f"wrk run {self.tag}: requests failed: {failed}")
        if self.ok_requests <= 0:
            raise BenchmarkFailure(f"wrk run {self.tag}: no request succeeded")


def run_wrk(
    url: str,
    connections: int,
    duration_s: int,
    container_id: str,
    events_per_request: int = 0,
    threads: int = 1,
    users: int | None = None,
    user_prefix: str | None = None,
    ledger: Path | None = None,
) -> WrkResult:
    """Load `url` with fresh events over `connections` keep-alive connections. `users`: the
    visitors the events are drawn from (default 20,000; 0: no user ids), whose user ids start
    with `user_prefix` (default the seed snippet's). `ledger`: a file the acknowledged ids are
    appended to (and the unacknowledged ones to its `.unacknowledged`), one a line; the target
    must answer as EventLens's ingest does, naming the accepted event ids."""
    wrk = ensure_wrk()
    tag = new_tag()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    args = [wrk, f"-t{threads}", f"-c{connections}", f"-d{duration_s}s", "--timeout", "30s"]
    args += ["--latency", "-s", str(SCRIPT), url, "--"]
    args += [tag, str(events_per_request), container_id, stamp, str(clients_file())]
    threads_prefix = None if ledger is None else ledger.with_name(f"{ledger.name}.{tag}")
    if users is not None or user_prefix is not None or threads_prefix is not None:
        args += [str(USERS if users is None else users)]
        args += [USER_PREFIX if user_prefix is None else user_prefix]
        args += [] if threads_prefix is None else [str(threads_prefix)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(
        args, capture_output=True, text=True, check=False, timeout=duration_s + 120
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or MARKER not in done.stdout:
        raise BenchmarkFailure(
            f"wrk failed ({done.returncode}) after {time.monotonic() - started:.1f}s:\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    line = next(x for x in done.stdout.splitlines() if x.startswith(MARKER))
    data = json.loads(line.removeprefix(MARKER))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    merged = None if threads_prefix is None else _read_threads(threads_prefix, threads)
    result = WrkResult(
        tag=tag,
        connections=connections,
        events_per_request=events_per_request,
        requests=data["requests"],
        sent=data["sent"],
        duration_s=data["duration_us"] / 1e6,
        errors={
            "connect": data["connect_errors"],
            "read": data["read_errors"],
            "write": data["write_errors"],
            "status": data["status_errors"],
            "timeout": data["timeouts"],
            # events a 2xx batch answer did not accept (read only with a ledger)
            "refused": 0 if merged is None else merged.refused,
        },
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        cpu_s=cpu,
        ledger=ledger,
    )
    if ledger is not None and merged is not None:
        _write_ledger(result, merged, ledger)
    return result


ACCEPTED = re.compile(r'"status":"accepted","event_id":"([^"]+)"')
REFUSED = re.compile(r'"rejected":(\d+),"invalid":(\d+)')


@dataclass(frozen=True)
class MergedLedger:
    acknowledged: list[str]
    unacknowledged: list[str]  # sent without an acknowledgement, in the order sent
    refused: int  # events a 2xx batch answer named rejected or invalid


def merge_ledger(sent: Iterable[Iterable[str]], answers: Iterable[Iterable[str]]) -> MergedLedger:
    """The ledger of each wrk thread's ids sent (one a line) and 2xx answers (one a line):
    `{"status":"accepted","event_id":ID}` for a single event; for a batch
    `{"accepted":N,"rejected":N,"invalid":N,"results":[{"index":0,"status":"accepted",
    "event_id":ID,"reasons":[]},...]}`, whose accepted items are acknowledged. An id
    acknowledged but never sent, or acknowledged twice, is a broken ledger: it raises."""
    sent_ids = [i for lines in sent for line in lines if (i := line.strip())]
    acked_ids, refused = [], 0
    for lines in answers:
        for line in lines:
            acked_ids += ACCEPTED.findall(line)
            if counts := REFUSED.search(line):
                refused += int(counts[1]) + int(counts[2])
    known, acked = set(sent_ids), set(acked_ids)
    if len(acked) != len(acked_ids):
        raise BenchmarkFailure(f"{len(acked_ids) - len(acked)} ids were acknowledged twice")
    if strangers := acked - known:
        raise BenchmarkFailure(
            f"{len(strangers)} acknowledged ids were never sent, e.g. {min(strangers)!r}"
        )
    return MergedLedger(acked_ids, [i for i in sent_ids if i not in acked], refused)


def _lines(path: Path) -> Iterator[str]:
    with path.open() as lines:
        yield from lines


def _read_threads(prefix: Path, threads: int) -> MergedLedger:
    """Merge the threads' files (then removed)."""
    files = {
        kind: [prefix.with_name(f"{prefix.name}.{n}.{kind}") for n in range(1, threads + 1)]
        for kind in ("sent", "acked")
    }
    try:
        return merge_ledger(map(_lines, files["sent"]), map(_lines, files["acked"]))
    finally:
        for path in files["sent"] + files["acked"]:
            path.unlink(missing_ok=True)


def _write_ledger(run: WrkResult, merged: MergedLedger, ledger: Path) -> None:
    """Append the run's ids to `ledger`; their counts must be wrk's (a file cut short fails)."""
    acked, unacked = merged.acknowledged, merged.unacknowledged
    sent, expected = len(acked) + len(unacked), run.events_acknowledged - merged.refused
    if sent != run.events_sent or len(acked) != expected:
        raise BenchmarkFailure(
            f"wrk run {run.tag}: its ledger holds {sent} ids sent and {len(acked)} acknowledged, "
            f"wrk counted {run.events_sent} and {expected}"
        )
    with ledger.open("a") as out:
        out.writelines(i + "\n" for i in acked)
    with Path(f"{ledger}.unacknowledged").open("a") as out:
        out.writelines(i + "\n" for i in unacked)
