"""Freshness: from the 202 of `POST /api/events/ingest` to the event's effect pushed by a
GraphQL `liveStats` subscription, under a steady background load, in both event-store modes,
each mode once a round, the rounds in turn: a figure is the median round's, with the lowest and
highest beside it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from bench import fmt
from bench.core import (
    PYTHONPATH,
    ROOT,
    BenchmarkFailure,
    BenchmarkReport,
    RunContext,
    Section,
    TargetCheck,
)
from bench.events import snippet_event, tagged_event_id
from bench.http import request_json
from bench.latency import percentiles
from bench.livestats import LiveStats, first_of
from bench.loadgen.httpclient import Connection
from bench.loadgen.paced import HEADERS, MARKER
from bench.loadgen.wrk import new_tag
from bench.procstats import CpuMeter, other_cores, wait_for_quiet
from bench.rounds import each_round, median_run, spread
from bench.services.eventlens import login
from bench.targets import Target
from bench.targets.registry import EVENTLENS_KAFKA, EVENTLENS_POSTGRES, TARGETS
from bench.verify import Ledger, SentEvents
from bench.workload import MAX_OTHER_CORES

P99_MAX_MS = 250.0
RATE_SHORTFALL = 0.95  # the background load must reach this share of its rate
SPACING_S = 0.1  # between probes
PUSH_TIMEOUT_S = 15.0
PROBE_SCHEMA = {
    "name": "freshness_probe",
    "description": "Freshness probes of the benchmark",
    "properties": {"page_view": {}},
}
PROBE_ADAPTOR = {
    "name": "Freshness probe",
    "schema_id": "freshness_probe",
    "website_url": "http://localhost:8081",
    "description": "Freshness probes of the benchmark",
}
MODES = (EVENTLENS_POSTGRES, EVENTLENS_KAFKA)


@dataclass
class Probes:
    tag: str  # the first 32 bits of every probe's event id
    freshness_ms: list[float] = field(default_factory=list)  # 202 received -> push received
    ingest_ms: list[float] = field(default_factory=list)  # probe sent -> 202 received
    sent: int = 0
    acknowledged: int = 0
    pushes: int = 0
    early: int = 0  # pushes read before the 202 they follow (counted as 0 ms)


@dataclass
class FreshnessRun:
    mode: str
    probes: Probes
    background: dict[str, Any]
    cpu: dict[str, float]
    verified: int

    def pct(self, p: float) -> float:
        return percentiles(self.probes.freshness_ms, (p,))[p]


def setup_probe_site(base_url: str, token: str) -> str:
    """A schema and adaptor of their own, so the background load never changes their stats."""
    status, body = request_json("POST", base_url + "/api/schemas/", PROBE_SCHEMA, token)
    if status != 201:
        raise BenchmarkFailure(f"creating the probe schema failed: {status} {body}")
    status, body = request_json("POST", base_url + "/api/adaptors/", PROBE_ADAPTOR, token)
    if status != 201:
        raise BenchmarkFailure(f"creating the probe adaptor failed: {status} {body}")
    return str(body["container_id"])


@contextlib.contextmanager
def background_load(
    target: Target, rate: int, log_dir: os.PathLike[str]
) -> Iterator[tuple[subprocess.Popen[str], str, dict[str, Any]]]:
    """`bench.loadgen.paced` in its own process at `rate` events/s on the seed's site; its
    result (sent, acknowledged, achieved rate) is filled in when the block ends."""
    tag = new_tag()
    args = [sys.executable, "-m", "bench.loadgen.paced", target.ingest_url]
    args += ["--rate", str(rate), "--tag", tag, "--container", target.container_id]
    args += ["--connections", "16"]
    env = {**os.environ, "PYTHONPATH": PYTHONPATH}
    with open(os.path.join(log_dir, f"paced-{tag}.log"), "w") as err:
        process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True
        )
    result: dict[str, Any] = {}
    try:
        yield process, tag, result
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            out, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            out, _ = process.communicate(timeout=10)
        line = next((x for x in out.splitlines() if x.startswith(MARKER)), None)
        if line is not None:
            result.update(json.loads(line.removeprefix(MARKER)))


async def send_probes(target: Target, token: str, container_id: str, count: int) -> Probes:
    """Send `count` probe events on a fixed schedule (one every `SPACING_S`, each after the
    previous one's 202), independent of the pushes, so that probes land at random points of
    the projection's batch cycle; then match every probe to the first push that counts it."""
    live = await LiveStats.open(target.base_url, token)
    reader = asyncio.create_task(live.read())
    conn = Connection(target.base_url)
    probes = Probes(new_tag())
    acked: list[float] = []
    try:
        await first_of(live.wait_total(0, PUSH_TIMEOUT_S), reader)
        started = time.monotonic()
        for index in range(count):
            pause = started + index * SPACING_S - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            body = snippet_event(container_id, tagged_event_id(probes.tag))
            body["schema_id"] = PROBE_SCHEMA["name"]
            body["session_id"] = body["user_id"] = "freshness-probe"  # one partition, in order
            payload = json.dumps(body).encode()
            sent_at = time.monotonic()
            probes.sent += 1
            live.sent = probes.sent
            # A browser's User-Agent: a request without one is a bot's, refused.
            status, answer = await conn.request("POST", "/api/events/ingest", payload, HEADERS)
            acked_at = time.monotonic()
            if status != 202:
                raise BenchmarkFailure(f"probe {index} was answered {status}: {answer[:300]!r}")
            if reader.done():
                reader.result()  # the subscription failed: raise its error
            probes.acknowledged += 1
            acked.append(acked_at)
            probes.ingest_ms.append((acked_at - sent_at) * 1000)
        await first_of(live.wait_total(count, PUSH_TIMEOUT_S), reader)
        probes.pushes = live.pushes
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await reader
        await conn.close()
        await live.close()
    # Totals only grow: probe k was first counted by the earliest push with a total >= k.
    seen = sorted(live.first_seen.items())
    for k, acked_at in enumerate(acked, start=1):
        pushed_at = min(at for total, at in seen if total >= k)
        if pushed_at < acked_at:
            probes.early += 1
        probes.freshness_ms.append(max(0.0, pushed_at - acked_at) * 1000)
    return probes


def graphql_probe_total(base_url: str, token: str) -> int:
    query = '{ stats(filter: {hours: 1, schemaId: "freshness_probe"}) { totalEvents } }'
    status, body = request_json("POST", base_url + "/graphql", {"query": query}, token)
    if status != 200 or body.get("errors"):
        raise BenchmarkFailure(f"GraphQL stats failed: {status} {body}")
    return int(body["data"]["stats"]["totalEvents"])


def measure(ctx: RunContext, mode: str) -> FreshnessRun:
    profile = ctx.profile
    with TARGETS[mode](ctx) as target:
        token = login(target.base_url)
        probe_container = setup_probe_site(target.base_url, token)
        wait_for_quiet(target.cpu_groups, MAX_OTHER_CORES)
        logs = ctx.scratch("logs")
        with background_load(target, profile.freshness_rate, logs) as (loader, bg_tag, result):
            time.sleep(profile.warmup_s + 2)  # the load settles
            if loader.poll() is not None:
                raise BenchmarkFailure("the background load generator exited early")
            meter = CpuMeter({**target.cpu_groups, "loadgen": lambda: [loader.pid]})
            meter.start()
            probes = asyncio.run(
                send_probes(target, token, probe_container, profile.freshness_probes)
            )
            cpu = meter.stop()
        if not result:
            raise BenchmarkFailure("the background load generator printed no result")
        if result["errors"]:
            raise BenchmarkFailure(f"background requests failed: {result['errors']}")
        ledger = Ledger(target.name)
        ledger.add(SentEvents(bg_tag, result["acknowledged"], result["sent"], "background load"))
        ledger.add(SentEvents(probes.tag, probes.acknowledged, probes.sent, "probes"))
        verified = ledger.verify(target.counter)
        total = graphql_probe_total(target.base_url, token)
        if total != probes.acknowledged:
            raise BenchmarkFailure(
                f"GraphQL stats count {total} probe events, {probes.acknowledged} were sent"
            )
    cpu["other"] = other_cores(cpu)
    return FreshnessRun(mode, probes, result, cpu, verified)


class FreshnessBenchmark:
    name = "freshness"
    title = "Freshness: ingest to live dashboard"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        rounds, failures = each_round(
            ctx,
            "freshness",
            {mode: partial(measure, ctx, mode) for mode in MODES},
            lambda run: (
                f"p50 {run.pct(50):.1f} ms  p99 {run.pct(99):.1f} ms  "
                f"max {run.pct(100):.1f} ms  at "
                f"{run.background.get('rate_achieved', 0):,.0f} events/s background; "
                f"verified {run.verified:,}"
            ),
        )
        runs = [median_run(by_mode, lambda r: r.pct(99)) for by_mode in rounds.values()]
        report = BenchmarkReport(self.name, self.title)
        report.sections.append(_section(runs, rounds, failures))
        rate = ctx.profile.freshness_rate
        for mode, by_mode in rounds.items():
            p99 = spread([r.pct(99) for r in by_mode])
            p50 = spread([r.pct(50) for r in by_mode])
            achieved = min(float(r.background.get("rate_achieved", 0)) for r in by_mode)
            report.targets.append(
                TargetCheck(
                    f"{mode}: freshness (202 to liveStats push) p99 at {rate:,} events/s",
                    f"<= {P99_MAX_MS:.0f} ms",
                    f"{p99.text(fmt.ms)} ms (p50 {p50.text(fmt.ms)} ms; background at least "
                    f"{achieved:,.0f} events/s)",
                    p99.high <= P99_MAX_MS and achieved >= RATE_SHORTFALL * rate,
                )
            )
        report.raw = {
            "failures": failures,
            "runs": [
                {
                    "mode": r.mode,
                    "round": index + 1,
                    "freshness_ms": {
                        str(p): round(v, 2)
                        for p, v in percentiles(r.probes.freshness_ms, (50, 90, 99, 100)).items()
                    },
                    "probe_ingest_ms": {
                        str(p): round(v, 2)
                        for p, v in percentiles(r.probes.ingest_ms, (50, 99)).items()
                    },
                    "probes": r.probes.acknowledged,
                    "pushes": r.probes.pushes,
                    "early": r.probes.early,
                    "background": r.background,
                    "cpu_cores": {k: round(v, 3) for k, v in r.cpu.items()},
                    "verified_events": r.verified,
                }
                for by_mode in rounds.values()
                for index, r in enumerate(by_mode)
            ],
        }
        if failures:
            report.notes.append("FAILED: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
        report.method = [
            "`eventlens up` in each mode (as in the ingest benchmark: embedded PostgreSQL; or "
            "Kafka with `EVENTLENS_KAFKA_BOOTSTRAP` and `EVENTLENS_DATABASE_URL`), the ingest "
            "rate limit set far above the load. The seed's schema and adaptor take the "
            "background load; a probe schema and adaptor of their own (`freshness_probe`) take "
            "the probes, so the background never changes the probes' stats.",
            f"Background: `bench/loadgen/paced.py` in its own process sends the seed snippet's "
            f"single-event body at a steady {rate:,} events/s (event i is due at start + i/rate, "
            "over 16 keep-alive connections), from a few seconds before the first probe until "
            "after the last.",
            "Probes: the harness opens a GraphQL WebSocket (`graphql-transport-ws` on `/graphql`, "
            "the token in `connection_init`), subscribes to `liveStats(filter: {hours: 1, "
            'schemaId: "freshness_probe"}) { totalEvents }`, then sends probe events one at a '
            f"time on a fixed schedule, one every {SPACING_S * 1000:.0f} ms (each after the "
            "previous one's 202), whatever the pushes do, so probes land at random points of the "
            "projection's batch cycle. All probes share one session (one Kafka partition), so "
            "they are projected in the order sent, and probe k is counted by the first push "
            "whose `totalEvents` is at least k. Freshness is the time from reading the probe's "
            "202 to reading that push (a push read before the 202 counts as 0 ms). Percentiles "
            "are nearest-rank over all probes.",
            f"Each mode ran once a round ({ctx.profile.rounds} rounds), the rounds in turn, "
            "each run on a fresh `eventlens up`. A row is the median round's (by p99), with "
            "every round's p99 beside it; the target counts as met only if the highest p99 of "
            "the rounds meets it.",
            "Checks: every probe is answered 202, no push counts more probes than were sent, "
            "the last push counts all of them; afterwards the background load's and the probes' "
            "events are each found exactly once in the store and in `event_logs` (the ingest "
            "benchmark's checks), and GraphQL `stats` counts exactly the probes sent.",
        ]
        return report


def _section(
    runs: list[FreshnessRun],
    rounds: dict[str, list[FreshnessRun]],
    failures: dict[str, str],
) -> Section:
    section = Section(
        "Freshness under a steady background load",
        [
            "event store",
            "background events/s",
            "probes",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "p99 ms over the rounds",
            "max ms",
            "probe 202 p50 ms",
            "pushes",
            "CPU app",
            "CPU db",
            "CPU broker",
            "CPU loadgen",
            "CPU other",
            "events verified",
        ],
    )
    for r in runs:
        other = r.cpu.get("other", 0.0)
        section.rows.append(
            [
                r.mode,
                fmt.rate(float(r.background.get("rate_achieved", 0))),
                str(r.probes.acknowledged),
                fmt.ms(r.pct(50)),
                fmt.ms(r.pct(90)),
                fmt.ms(r.pct(99)) + (" *" if other > MAX_OTHER_CORES else ""),
                spread([x.pct(99) for x in rounds[r.mode]]).text(fmt.ms),
                fmt.ms(r.pct(100)),
                fmt.ms(percentiles(r.probes.ingest_ms, (50,))[50]),
                f"{r.probes.pushes:,}",
                fmt.cores(r.cpu.get("app")),
                fmt.cores(r.cpu.get("db")),
                fmt.cores(r.cpu.get("broker")),
                fmt.cores(r.cpu.get("loadgen")),
                fmt.cores(other),
                f"{r.verified:,}",
            ]
        )
    for mode, why in failures.items():
        section.rows.append([mode, "FAILED", why[:200], *[""] * 13])
    section.notes += [
        "Each mode ran once a round, the rounds in turn; a row is the median round's (by p99), "
        "with every round's lowest and highest p99 beside it.",
        "p50..max: from the probe's 202 to the `liveStats` push that includes it. probe 202: "
        "the probe's own ingest latency. pushes: `liveStats` messages received (the "
        "subscription re-queries after every committed projection batch, also the "
        "background's).",
        "background events/s: acknowledged by the paced sender over its whole run. CPU: cores "
        "used while the probes ran, by `eventlens up`, PostgreSQL, the broker, the paced "
        f"sender, and other processes (* when those used more than {MAX_OTHER_CORES} cores).",
    ]
    return section
