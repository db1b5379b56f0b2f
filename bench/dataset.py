"""A query benchmark's data, built by the product: visitors' visits over the last 30 days sent
through `POST /api/events/import` to an embedded `eventlens up`, and every read model projected
by its workers from the events in the store. Nothing is written in SQL.

The finished data directory is kept in `bench/cache/` under the generator's version and size,
and copied for each run (`cp -a`: the embedded PostgreSQL's files keep their owner), so
`make bench` generates it once. A cached copy older than `MAX_AGE_DAYS` is made again: its
30 days slide out of "the last 30 days".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psycopg

from bench.core import ROOT, BenchmarkFailure, RunContext
from bench.dashboard import Site
from bench.enrichment import visits as landings
from bench.http import request_json
from bench.loadgen.httpclient import Connection
from bench.loadgen.tracker import BROWSERS, SCREENS
from bench.services.eventlens import EventLens, eventlens_up, login
from bench.targets.eventlens import PostgresStoreCounter

GENERATOR_VERSION = 1  # change it whenever what `visitors` generates changes
CACHE = ROOT / "bench" / "cache"
MAX_AGE_DAYS = 3
IMPORTED = "imported.json"  # written once every event is accepted, before the projection ends
DAYS = 30
EVENTS_PER_REQUEST = 1000  # at most EVENTLENS_MAX_BATCH_EVENTS
SENDERS = 16  # import requests in flight

SCHEMAS: list[dict[str, Any]] = [
    {
        "name": "portfolio_events",
        "description": "Portfolio website tracking",
        "properties": {
            t: {}
            for t in (
                "page_view",
                "github_project_click",
                "linkedin_profile_click",
                "email_link_click",
                "navigation_click",
                "external_link_click",
            )
        },
    },
    {
        "name": "shop_events",
        "description": "A shop",
        "properties": {
            t: {} for t in ("product_view", "add_to_cart", "checkout_started", "purchase")
        },
    },
    {
        "name": "docs_events",
        "description": "Documentation",
        "properties": {t: {} for t in ("search", "copy_code", "feedback")},
    },
]
# (name, schema, website, share of visitors)
ADAPTORS = (
    ("My Portfolio", "portfolio_events", "http://localhost:8080", 25),  # the live tracker load
    ("Shop", "shop_events", "https://shop.example.com", 40),
    ("Docs", "docs_events", "https://docs.example.com", 25),
    ("Blog", "portfolio_events", "https://blog.example.com", 10),
)
PAGES = {
    "portfolio_events": ("/", "/projects", "/projects/eventlens", "/about", "/contact"),
    "shop_events": ("/", "/c/shoes", "/c/bags", "/p/1", "/p/2", "/p/3", "/cart", "/checkout"),
    "docs_events": ("/", "/start", "/guide/install", "/guide/api", "/reference", "/faq"),
}
HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 7, 8, 8, 8, 7, 6, 6, 6, 5, 4, 3, 2]  # of the day


@dataclass(frozen=True)
class Dataset:
    data_dir: Path  # a copy for this run
    events: int
    generated_at: str
    seconds: float  # how long generating it took (0 when copied from the cache)
    sites: list[Site]

    def describe(self) -> str:
        how = f"generated in {self.seconds:.0f} s" if self.seconds else "copied from the cache"
        return f"{self.events:,} events over {DAYS} days, made {self.generated_at} ({how})"


def visitor_events(
    rng: random.Random, visitor: int, containers: dict[str, str], end: datetime
) -> tuple[str, list[dict[str, Any]]]:
    """One visitor's User-Agent and every event of their visits to one site over the days."""
    name, schema, website, _ = rng.choices(ADAPTORS, [a[3] for a in ADAPTORS])[0]
    types = list(SCHEMAS[[s["name"] for s in SCHEMAS].index(schema)]["properties"])
    browser = BROWSERS[visitor % len(BROWSERS)]
    user_agent = browser.replace(" Safari/", f" Safari/{visitor % 9000}.", 1)
    events: list[dict[str, Any]] = []
    for _ in range(min(8, 1 + int(rng.expovariate(1.0)))):
        # Whole days before today (today's events come from the live load while measuring).
        day = end - timedelta(days=1 + rng.randrange(DAYS - 1))
        if day.weekday() >= 5 and rng.random() < 0.3:
            continue  # fewer visits at weekends
        hour = rng.choices(range(24), HOURS)[0]
        at = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
        referrer, landing = rng.choice(LANDINGS)
        query = landing.partition("?")[2]
        for page_index in range(1 + int(rng.expovariate(1 / 2.5))):
            url = website + rng.choice(PAGES[schema])
            if query and not page_index:
                url += "?" + query
            kinds = ["page_view"] + (["engagement"] if rng.random() < 0.5 else [])
            if rng.random() < 0.25:
                kinds.append(rng.choice(types))
            for kind in kinds:
                at += timedelta(seconds=rng.randint(2, 90))
                events.append(
                    {
                        "container_id": containers[name],
                        "event_type": kind,
                        "url": url,
                        "referrer": referrer if not page_index else None,
                        "screen_width": SCREENS[visitor % len(SCREENS)],
                        "timestamp": at.isoformat(timespec="seconds").replace("+00:00", "Z"),
                        "properties": _properties(rng, kind),
                    }
                )
    return user_agent, events


LANDINGS = landings(2000, seed=26)


def _properties(rng: random.Random, kind: str) -> dict[str, int]:
    if kind == "engagement":
        return {"engaged_ms": rng.randint(500, 90_000), "scroll_depth": rng.randint(0, 100)}
    return {}


def set_up(app: EventLens, token: str) -> dict[str, str]:
    """The schemas and adaptors, through the REST API; the adaptors' container ids."""
    base = app.server.base_url
    for schema in SCHEMAS:
        status, body = request_json("POST", base + "/api/schemas/", schema, token)
        if status != 201:
            raise BenchmarkFailure(f"creating schema {schema['name']} failed: {status} {body}")
    containers = {}
    for name, schema_id, website, _ in ADAPTORS:
        adaptor = {"name": name, "schema_id": schema_id, "website_url": website}
        status, body = request_json("POST", base + "/api/adaptors/", adaptor, token)
        if status != 201:
            raise BenchmarkFailure(f"creating adaptor {name} failed: {status} {body}")
        containers[name] = str(body["container_id"])
    return containers


async def _import(base_url: str, token: str, containers: dict[str, str], n: int) -> int:
    """Send visitors' events until `n` were accepted; returns how many were."""
    rng, end = random.Random(GENERATOR_VERSION), datetime.now(UTC).replace(microsecond=0)
    queue: asyncio.Queue[tuple[str, bytes, int] | None] = asyncio.Queue(SENDERS * 4)
    accepted = 0

    async def sender() -> None:
        nonlocal accepted
        conn = Connection(base_url)
        try:
            while (item := await queue.get()) is not None:
                user_agent, body, count = item
                headers = {
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {token}",
                    "User-Agent": user_agent,
                }
                status, answer = await conn.request("POST", "/api/events/import", body, headers)
                results = orjson.loads(answer).get("results", []) if status == 202 else []
                ok = sum(1 for r in results if r.get("status") == "accepted")
                if status != 202 or ok != count:
                    raise BenchmarkFailure(f"an import was answered {status}: {answer[:300]!r}")
                accepted += count
        finally:
            await conn.close()

    tasks = [asyncio.create_task(sender()) for _ in range(SENDERS)]
    made, visitor = 0, 0
    while made < n:
        user_agent, events = visitor_events(rng, visitor, containers, end)
        visitor += 1
        events = events[: min(EVENTS_PER_REQUEST, n - made)]
        if events:
            made += len(events)
            await queue.put((user_agent, orjson.dumps({"events": events}), len(events)))
        if any(t.done() for t in tasks):
            break
    for _ in tasks:
        await queue.put(None)
    await asyncio.gather(*tasks)
    return accepted


def generate(n: int, into: Path) -> float:
    started = time.monotonic()
    with eventlens_up(into) as app:
        token = login(app.server.base_url)
        containers = set_up(app, token)
        print(f"  importing {n:,} events of visitors over {DAYS} days", flush=True)
        accepted = asyncio.run(_import(app.server.base_url, token, containers, n))
        if accepted != n:
            raise BenchmarkFailure(f"{accepted:,} of {n:,} imported events were accepted")
        meta = {
            "containers": containers,
            "generated_at": datetime.now(UTC).isoformat(),
            "analyzed": True,  # by `_project`, before the file is renamed to dataset.json
        }
        (into.parent / IMPORTED).write_text(json.dumps(meta))
        _project(app, n)
    (into.parent / IMPORTED).rename(into.parent / "dataset.json")
    return time.monotonic() - started


def resume(n: int, into: Path) -> float:
    """Finish a dataset whose import completed (its `IMPORTED` file says so) but whose
    projection did not: the workers go on from where they stopped."""
    started = time.monotonic()
    with eventlens_up(into) as app:
        _project(app, n)
    (into.parent / IMPORTED).rename(into.parent / "dataset.json")
    return time.monotonic() - started


def _project(app: EventLens, n: int) -> None:
    print("  waiting for the projections", flush=True)
    counter = PostgresStoreCounter(app.database_url)
    counter.wait_settled()
    counter.check_total(n)
    _analyze(app.database_url)


def _analyze(database_url: str) -> None:
    """Planner statistics for every table, as a database that has run for a while has them
    from autovacuum: a dataset imported faster than autovacuum's first round would otherwise
    be measured with none, and plan its queries on guesses."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def _analyzed(cached: Path) -> None:
    """Analyze a cached dataset made before datasets were analyzed when made, once."""
    meta_path = cached / "dataset.json"
    meta = json.loads(meta_path.read_text())
    if meta.get("analyzed"):
        return
    print("  analyzing the cached dataset (once)", flush=True)
    with eventlens_up(cached / "data") as app:
        _analyze(app.database_url)
    meta_path.write_text(json.dumps({**meta, "analyzed": True}))


def _fresh(meta: Path) -> bool:
    made = datetime.fromisoformat(json.loads(meta.read_text())["generated_at"])
    return datetime.now(UTC) - made <= timedelta(days=MAX_AGE_DAYS)


def _cached(n: int) -> Path:
    return CACHE / f"dataset-v{GENERATOR_VERSION}-{n}"


@contextlib.contextmanager
def prepared(ctx: RunContext, n: int, user: str) -> Iterator[Dataset]:
    """A copy of the cached dataset of `n` events (generated first if needed) for the
    benchmark `user`, removed afterwards unless the run keeps its scratch directories."""
    cached, seconds = _cached(n), 0.0
    meta_path = cached / "dataset.json"
    if meta_path.exists() and not _fresh(meta_path):
        shutil.rmtree(cached, ignore_errors=True)
    if not meta_path.exists():
        building = cached.with_name(cached.name + ".building")
        imported = building / IMPORTED
        if imported.exists() and _fresh(imported):  # an earlier run imported it, then stopped
            print("  resuming the projection of an imported dataset", flush=True)
            seconds = resume(n, building / "data")
        else:
            shutil.rmtree(building, ignore_errors=True)
            building.mkdir(parents=True)
            building.chmod(0o755)
            seconds = generate(n, building / "data")
        shutil.rmtree(cached, ignore_errors=True)
        building.rename(cached)
    _analyzed(cached)
    meta = json.loads(meta_path.read_text())
    run_dir = ctx.fresh_dir(f"{user}-dataset")
    subprocess.run(["cp", "-a", str(cached / "data"), str(run_dir / "data")], check=True)
    by_schema = {name: schema for name, schema, _, _ in ADAPTORS}
    types = {s["name"]: tuple(s["properties"]) for s in SCHEMAS}
    sites = [
        Site(container, by_schema[name], types[by_schema[name]])
        for name, container in meta["containers"].items()
    ]
    try:
        yield Dataset(run_dir / "data", n, meta["generated_at"][:16], seconds, sites)
    finally:
        if not ctx.keep_workdir:  # tens of GB at full size: one copy on the disk at a time
            shutil.rmtree(run_dir, ignore_errors=True)


def describe(dataset: Dataset) -> dict[str, Any]:
    return {**asdict(dataset), "data_dir": str(dataset.data_dir)}
