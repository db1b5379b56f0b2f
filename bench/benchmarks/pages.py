"""Dashboard pages on data built by the product: every request behind the overview, a site's
dashboard and the pipeline page, with seeded ranges and filters, while tracker traffic is
ingested at 1,000 events/s and projected; cold and warm, 2 and 8 clients, one and two API
processes, each figure the median of the rounds.

    python -m bench pages [--quick]
"""

from __future__ import annotations

import json
import os
import random
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from bench import dashboard, fmt
from bench.core import (
    PYTHONPATH,
    ROOT,
    BenchmarkFailure,
    BenchmarkReport,
    RunContext,
    Section,
    TargetCheck,
    measured_or_failed,
)
from bench.dataset import DAYS, Dataset, prepared
from bench.http import request_json
from bench.loadgen.paced import MARKER
from bench.loadgen.wrk import new_tag
from bench.rounds import spread
from bench.services.eventlens import EventLens, eventlens_up, login
from bench.tracker_load import tracker_load

CLIENTS = (2, 8)
API_PROCESSES = (1, 2)
INGEST_RATE = 1_000


@dataclass
class PagesRun:
    api_processes: int
    cold_ms: dict[str, float]  # first request of each page after start
    cold_timed_out: list[str]  # those of `cold_ms` refused as over the read time limit
    warm: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # clients: rounds
    ingest: dict[str, Any] = field(default_factory=dict)
    ledger: str = ""


def cold_requests(
    base_url: str, token: str, sites: list[dashboard.Site]
) -> tuple[dict[str, float], list[str]]:
    """Each page opened once right after start: every request timed, the slowest kept; and
    the requests refused as over the read time limit."""
    rng, cold, timed_out = random.Random(1), dict[str, float](), set[str]()
    for page in ("overview", "site", "pipeline"):
        while True:
            requests = dashboard.page_visit(rng, sites)
            if requests[0].page == page:
                break
        for request in requests:
            started = time.monotonic()
            status, body = request_json(
                request.method, base_url + request.path, request.body, token
            )
            elapsed = (time.monotonic() - started) * 1000
            problem = dashboard.answer_errors(body) if status == 200 else f"status {status}: {body}"
            key = f"{page}/{request.card}"
            if problem and dashboard.too_slow(problem):
                timed_out.add(key)
            elif problem:
                raise BenchmarkFailure(f"cold {request.page}/{request.card}: {problem}")
            cold[key] = max(cold.get(key, 0), elapsed)
    return cold, sorted(timed_out)


def viewers(base_url: str, admin_token: str, count: int) -> list[str]:
    """The access tokens of `count` new viewers, one per client, as dashboard users are
    people: the API bounds each user's costly reads at once (EVENTLENS_COSTLY_READS_PER_USER),
    and one account shared by every client would measure that bound, not the queries."""
    tag, password, tokens = new_tag(), secrets.token_urlsafe(18), []
    for index in range(count):
        username = f"viewer-{tag}-{index}"
        body = {"username": username, "password": password, "role": "viewer"}
        status, answer = request_json("POST", base_url + "/api/users/", body, admin_token)
        if status != 201:
            raise BenchmarkFailure(f"creating the viewer {username} failed: {status} {answer}")
        tokens.append(login(base_url, username, password))
    return tokens


def load(
    app: EventLens,
    tokens: list[str],
    sites: list[dashboard.Site],
    clients: int,
    seconds: float,
    seed: int,
) -> dict[str, Any]:
    spec = {
        "base_url": app.server.base_url,
        "tokens": tokens[:clients],
        "sites": [
            {"container_id": s.container_id, "schema_id": s.schema_id, "event_types": s.event_types}
            for s in sites
        ],
        "clients": clients,
        "seconds": seconds,
        "seed": seed,
    }
    done = subprocess.run(
        [sys.executable, "-m", "bench.loadgen.pages"],
        input=json.dumps(spec),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": PYTHONPATH},
        capture_output=True,
        text=True,
        timeout=seconds + 600,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if line is None:
        raise BenchmarkFailure(f"the page load generator failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(line.removeprefix(MARKER))
    if result["errors"]:
        raise BenchmarkFailure(f"dashboard requests failed: {result['errors']}")
    if result["timed_out"]:
        print(f"    over the read time limit: {result['timed_out']}", flush=True)
    return result


def measure(ctx: RunContext, data: Dataset, processes: int) -> PagesRun:
    profile = ctx.profile
    env = {"EVENTLENS_API_PROCESSES": str(processes)}
    with eventlens_up(data.data_dir, env) as app:
        token = login(app.server.base_url)
        run = PagesRun(processes, *cold_requests(app.server.base_url, token, data.sites))
        tokens = viewers(app.server.base_url, token, max(CLIENTS))
        container = data.sites[0].container_id
        with tracker_load(app, container, INGEST_RATE, ctx.scratch("pages")) as ingest:
            for index in range(profile.rounds):
                for clients in CLIENTS:
                    print(
                        f"  {processes} API process(es), round {index + 1}: {clients} clients",
                        flush=True,
                    )
                    result = load(app, tokens, data.sites, clients, profile.pages_seconds, index)
                    run.warm.setdefault(clients, []).append(result)
        run.ingest, run.ledger = ingest.result, ingest.ledger
    return run


class PagesBenchmark:
    name = "pages"
    title = "Dashboard pages on data built by the product"

    def run(self, ctx: RunContext) -> BenchmarkReport:
        n = ctx.profile.dataset_events
        report = BenchmarkReport(self.name, self.title)
        runs: list[PagesRun] = []
        failures: dict[str, str] = {}
        print(f"[pages] dataset of {n:,} events", flush=True)
        with prepared(ctx, n, "pages") as data:
            print(f"  {data.describe()}", flush=True)
            for processes in API_PROCESSES:
                run = measured_or_failed(
                    failures, f"{processes} API processes", measure, ctx, data, processes
                )
                if run is not None:
                    runs.append(run)
            report.targets += [_within_time_limit(run) for run in runs]
            report.sections.append(_warm(runs, failures, data))
            report.sections.append(_cold(runs))
            report.sections.append(_by_page(runs))
        report.raw = {
            "failures": failures,
            "dataset": {
                "events": data.events,
                "generated_at": data.generated_at,
                "seconds": data.seconds,
            },
            "runs": [vars(r) for r in runs],
        }
        if failures:
            report.notes.append("FAILED: " + "; ".join(f"{k}: {v}" for k, v in failures.items()))
        report.method = METHOD
        return report


def _timed_out(rounds: list[dict[str, Any]]) -> int:
    return sum(sum(r.get("timed_out", {}).values()) for r in rounds)


def _within_time_limit(run: PagesRun) -> TargetCheck:
    """No dashboard request refused for running over the read time limit (10 s by default):
    a card that never fills is a broken page, whatever the other cards' latencies."""
    rounds = [r for by_clients in run.warm.values() for r in by_clients]
    sent = sum(r["answered"] for r in rounds) + _timed_out(rounds)
    late = _timed_out(rounds) + len(run.cold_timed_out)
    return TargetCheck(
        f"pages: dashboard requests within the read time limit, {run.api_processes} API "
        f"process(es), 2 and 8 clients, under {INGEST_RATE:,} events/s of ingest",
        "0 refused as too slow",
        f"{late:,} of {sent + len(run.cold_ms):,} refused",
        late == 0,
    )


def _median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(rounds, key=lambda r: r["queries_per_s"])
    return ordered[(len(ordered) - 1) // 2]


def _warm(runs: list[PagesRun], failures: dict[str, str], data: Dataset) -> Section:
    section = Section(
        f"Warm, under {INGEST_RATE:,} events/s of ingest: {data.events:,} events over {DAYS} days",
        [
            "API processes",
            "clients",
            "queries/s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "requests",
            "timed out",
            "ingest events/s",
        ],
    )
    for run in runs:
        for clients, rounds in run.warm.items():
            qps = spread([r["queries_per_s"] for r in rounds])
            middle = _median_round(rounds)["latency_ms"]["all"]
            section.rows.append(
                [
                    str(run.api_processes),
                    str(clients),
                    qps.text(lambda v: f"{v:,.0f}"),
                    fmt.ms(middle["p50"]),
                    fmt.ms(middle["p95"]),
                    fmt.ms(middle["p99"]),
                    f"{sum(r['answered'] for r in rounds):,}",
                    f"{_timed_out(rounds):,}",
                    fmt.rate(float(run.ingest.get("rate_achieved", 0))),
                ]
            )
    for what, why in failures.items():
        section.rows.append([what, "FAILED", why[:200], *[""] * 6])
    section.notes += [
        "queries/s: the median round's, with the lowest and highest round; latencies: "
        "nearest-rank percentiles of every request of the median round (by queries/s), those "
        "refused as over the read time limit included (the page waited that long); requests: "
        "answered in every round; timed out: refused as over the read time limit "
        "(`EVENTLENS_QUERY_TIMEOUT_MS`, 10 s), in every round.",
        f"Dataset: {data.describe()}. ingest events/s: the tracker load acknowledged meanwhile "
        "(open schedule), every acknowledged event found once in the store and in "
        "`event_logs` afterwards.",
    ]
    return section


def _cold(runs: list[PagesRun]) -> Section:
    section = Section(
        "Cold: each page's requests just after `eventlens up` started",
        ["API processes", "request", "ms"],
    )
    for run in runs:
        for card, ms in run.cold_ms.items():
            shown = f"{card} (timed out)" if card in run.cold_timed_out else card
            section.rows.append([str(run.api_processes), shown, fmt.ms(ms)])
    return section


def _by_page(runs: list[PagesRun]) -> Section:
    section = Section(
        "By page and card (the median round)",
        ["API processes", "clients", "what", "requests", "p50 ms", "p95 ms", "p99 ms"],
    )
    for run in runs:
        for clients, rounds in run.warm.items():
            for what, s in _median_round(rounds)["latency_ms"].items():
                first = run is runs[0] and clients == CLIENTS[0]
                if what == "all" or (what.startswith("card") and not first):
                    continue  # every card once: the first configuration's
                section.rows.append(
                    [
                        str(run.api_processes),
                        str(clients),
                        what,
                        f"{s['count']:,}",
                        fmt.ms(s["p50"]),
                        fmt.ms(s["p95"]),
                        fmt.ms(s["p99"]),
                    ]
                )
    section.notes.append(
        "page: every request of that page; whole: a page's requests sent one after another, "
        "from the first sent to the last answered; card: one request of a page (shown for "
        "the first configuration only)."
    )
    return section


METHOD = [
    "Data built by the product (`bench/dataset.py`): an embedded `eventlens up` gets three "
    "schemas (the seed's, a shop's, documentation's) and four sites through the REST API; "
    "visitors (each with a User-Agent of its own and a screen, 1-8 visits to one site over the "
    "29 whole days before today, fewer at weekends, by hour of day; landing pages with "
    "referrers and UTM tags, page views, engagement and the schema's own events) are sent "
    "through `POST /api/events/import`, one request a visitor, and the workers project every "
    "read model from the store. The data directory is kept in `bench/cache/` under the "
    "generator's version and size and copied (`cp -a`) for each run; a copy older than 3 days "
    "is made again. Full size 10,000,000 events (its data directory takes tens of GB); quick "
    "100,000.",
    "`eventlens up` on a copy, with `EVENTLENS_API_PROCESSES` 1 and then 2. Right after start "
    "each page is opened once (cold, every request timed). Then the tracker load of the soak "
    "runs at 1,000 events/s on an open schedule while `bench/loadgen/pages.py` (its own "
    "process) runs 2 and then 8 clients, each a viewer of its own (the API bounds each user's "
    "costly reads at once, and dashboard users are people), opening pages one after another "
    "without pauses "
    "(`bench/dashboard.py`: 45 % the overview, 45 % a site's dashboard, 10 % the pipeline "
    "page, each with every request the dashboard sends for it; ranges and filters drawn from a "
    "seeded distribution), for the profile's seconds, in rounds (3 in a full run).",
    "Every answer must be 200 without GraphQL errors, and every ingested event acknowledged "
    "during the run is found once in the store and in `event_logs` afterwards. The one error "
    "that is measured rather than failed is the API's refusal of a query that ran over its "
    "read time limit (a 503 `query_too_slow`, or the same GraphQL error): such requests are "
    "counted by card, shown as timed out, and judged by a target (none refused).",
    "The `queries` benchmark measures the 30-day stats on a copy of the same dataset, under "
    "the same live load.",
]
