"""`python -m bench [NAME ...] [--quick]`: run the benchmarks, print a table, write the report.

`python -m bench soak --minutes 10` runs one benchmark (`--only NAME` is the same as naming it).

A full run of every benchmark writes docs/BENCHMARKS.md; a quick or partial run writes
bench/results/ instead (so the committed report always holds a full, verified run), unless
`--output` says otherwise. A run in which any benchmark failed its checks exits non-zero and
never writes docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import time
import traceback
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

from bench import machine, report
from bench.core import ROOT, BenchmarkFailure, BenchmarkReport, Profile, RunContext
from bench.loadgen.wrk import ensure_wrk
from bench.registry import BENCHMARKS
from bench.targets.registry import TARGETS

DOCS = ROOT / "docs" / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"run only these benchmarks: {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    parser.add_argument(
        "--system",
        action="append",
        choices=list(TARGETS),
        metavar="SYSTEM",
        help=f"load only this system under test (repeatable): {', '.join(TARGETS)}",
    )
    parser.add_argument("--quick", action="store_true", help="short loads: a smoke run")
    parser.add_argument("--output", type=Path, help="where to write the Markdown report")
    parser.add_argument(
        "--minutes", type=float, help="each soak run's length (10, or 2 with --quick)"
    )
    parser.add_argument(
        "--keep-workdir", action="store_true", help="keep data directories and logs"
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}; there are {', '.join(BENCHMARKS)}")
    if args.minutes is not None and not 0 < args.minutes <= 24 * 60:
        parser.error("--minutes must be more than 0 and at most 1440")
    args.only = (args.only or []) + args.names or None
    return args


def _terminate(_signum: int, _frame: object) -> NoReturn:
    raise SystemExit(143)  # unwinds every context manager: servers and services stop


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    signal.signal(signal.SIGTERM, _terminate)
    names = args.only or list(BENCHMARKS)
    profile = Profile.quick() if args.quick else Profile.full()
    if args.minutes is not None:  # the report's sizes then say how long the soak really ran
        profile = replace(profile, soak_minutes=args.minutes)
    command = shlex.join(["python", "-m", "bench", *(sys.argv[1:] if argv is None else argv)])
    full = not args.quick and names == list(BENCHMARKS) and not args.system
    output = args.output or (DOCS if full else RESULTS / f"{profile.name}-{'-'.join(names)}.md")

    ensure_wrk()
    revision = machine.revision(ROOT)
    fingerprint = machine.src_fingerprint(ROOT)
    started, clock = datetime.now(UTC), time.monotonic()
    reports: list[BenchmarkReport] = []
    failed = False
    with RunContext(profile, args.keep_workdir, args.system) as ctx:
        if args.minutes is not None:
            ctx.options["minutes"] = args.minutes
        print(f"benchmarks: {', '.join(names)} ({profile.name}); scratch in {ctx.workdir}")
        for name in names:
            benchmark = BENCHMARKS[name]
            try:
                result = benchmark.run(ctx)
            except BenchmarkFailure as error:
                result = BenchmarkReport(name, benchmark.title, notes=[f"FAILED: {error}"])
            except Exception as error:
                traceback.print_exc()
                result = BenchmarkReport(name, benchmark.title, notes=[f"FAILED: {error!r}"])
            failed = failed or any(n.startswith("FAILED") for n in result.notes)
            reports.append(result)
    elapsed = time.monotonic() - clock
    if machine.src_fingerprint(ROOT) != fingerprint:  # src/ changed while the run went on
        revision = f"{revision} at the start; {machine.revision(ROOT)} at the end (src/ changed)"

    print()
    print(report.console(reports))
    RESULTS.mkdir(parents=True, exist_ok=True)
    raw = {
        "command": command,
        "revision": revision,
        "date": started.isoformat(),
        "profile": asdict(profile),
        "machine": machine.describe(),
        "benchmarks": {
            r.name: {"raw": r.raw, "targets": [asdict(t) for t in r.targets]} for r in reports
        },
    }
    (RESULTS / f"{profile.name}-{'-'.join(names)}.json").write_text(
        json.dumps(raw, indent=2, default=str)
    )
    if failed:
        output = RESULTS / "failed-run.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    # The committed report's hand-written section goes into every report written.
    kept = report.decisions(DOCS.read_text()) if DOCS.exists() else ""
    output.write_text(
        report.render(
            reports, machine.describe(), profile, command, revision, started, elapsed, kept
        )
    )
    print(
        f"\nreport written to {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}"
    )
    if failed:
        print("FAILED: at least one benchmark's checks failed (see above)", file=sys.stderr)
        raise SystemExit(1)
