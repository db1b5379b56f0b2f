"""`python -m bench.profiling`: where a system under test spends its CPU under an ingest load.

Starts one system (default `eventlens-postgres`), puts a wrk load on it and records the
server process with py-spy (`pip install py-spy`; not a dependency of EventLens), then prints
the functions with the most samples, by own time and including callees, and by thread.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.core import BenchmarkFailure, Profile, RunContext
from bench.dbactivity import ActivitySampler
from bench.loadgen.wrk import WrkResult, run_wrk
from bench.targets import Target
from bench.targets.registry import EVENTLENS_POSTGRES, TARGETS
from bench.verify import Ledger, SentEvents
from bench.workload import probe

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::\d+)?\)$")


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise BenchmarkFailure("py-spy is not installed: `pip install py-spy`")
    return found


def frame_name(frame: str) -> str:
    """`func (path/to/file.py:12)` -> `file.py:func` with the path shortened to the package."""
    match = FRAME.match(frame.strip())
    if not match:
        return frame.strip()
    path = match["file"]
    for marker in ("site-packages/", "src/", "lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{path}:{match['func']}"


def summarise(raw: str, top: int) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        thread = next((f for f in frames if f.startswith("thread ")), "thread ?")
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        total += count
        threads[re.sub(r"\(0x[0-9A-Fa-f]+\)", "", thread).strip()] += count
        names = [frame_name(f) for f in frames]
        own[names[-1]] += count
        for name in set(names):
            inclusive[name] += count

    def table(title: str, counter: Counter[str]) -> list[str]:
        rows = [f"{title} ({total} samples)"]
        rows += [f"  {100 * n / total:5.1f}%  {name}" for name, n in counter.most_common(top)]
        return rows

    return "\n".join(
        [
            *table("by thread", threads),
            *table("own time", own),
            *table("including callees", inclusive),
        ]
    )


def record(target: Target, ledger: Ledger, args: argparse.Namespace, raw_file: Path) -> WrkResult:
    """Load `target` with wrk while py-spy records its server process; verify the load."""
    app_pid = target.cpu_groups["app"]()[0]
    command = [py_spy(), "record", "--pid", str(app_pid), "--duration", str(args.seconds)]
    command += ["--rate", "200", "--format", "raw", "--threads", "--output", str(raw_file)]
    if args.gil:
        command.append("--gil")  # only the thread holding the GIL: what the interpreter runs
    if args.native:
        command.append("--native")  # C frames too (extensions, uvloop, libpq)
    url = target.batch_url if args.batch else target.ingest_url
    runs: list[WrkResult] = []
    loader = threading.Thread(
        target=lambda: runs.append(
            run_wrk(url, args.connections, args.seconds + 4, target.container_id, args.batch)
        )
    )
    loader.start()
    time.sleep(2)  # past the ramp-up
    activity = ActivitySampler(target.database_url).start() if target.database_url else None
    subprocess.run(command, check=True, capture_output=True, timeout=args.seconds + 120)
    if activity is not None:
        activity.stop()
        print(activity.summary(args.top))
    loader.join()
    if not runs:
        raise BenchmarkFailure("the load generator failed")
    run = runs[0]
    run.check()
    ledger.add(SentEvents(run.tag, run.events_acknowledged, run.events_sent, "profiled"))
    ledger.verify(target.counter)
    return run


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profiling", description=__doc__)
    parser.add_argument("--system", default=EVENTLENS_POSTGRES, choices=list(TARGETS))
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--batch", type=int, default=0, help="events per request (0: single)")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--native", action="store_true", help="include C frames")
    parser.add_argument(
        "--all-threads",
        dest="gil",
        action="store_false",
        help="sample every running thread, not only the one holding the GIL",
    )
    parser.add_argument("--output", type=Path, help="also keep py-spy's raw (collapsed) output")
    args = parser.parse_args(argv)
    py_spy()
    with RunContext(Profile.quick()) as ctx, TARGETS[args.system](ctx) as target:
        ledger = Ledger(target.name)
        probe(target, ledger)
        raw_file = ctx.workdir / "profile.txt"
        run = record(target, ledger, args, raw_file)
        raw = raw_file.read_text()
    if args.output:
        args.output.write_text(raw)
    load = f"batch of {args.batch}" if args.batch else "single event"
    print(
        f"{args.system}: {run.events_per_s:,.0f} events/s, p99 {run.p99_ms:.1f} ms "
        f"({load}, {args.connections} connections)"
    )
    print(summarise(raw, args.top))


if __name__ == "__main__":
    main()
