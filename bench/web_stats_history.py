"""A site's web analytics as ingest records them, for `bench.web_stats`: visitors with a new
cookieless id each day (some come back the same day), visits of about five page views with
engagement and the odd custom event, from weighted sources, campaigns, browsers and places,
on pages whose popularity falls off as Zipf's law, more by day than by night."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from eventlens.domain.event_ids import new_event_id
from eventlens.domain.tracking import TrackedEvent
from eventlens.domain.visitors import ClientContext, Location, PageContext

SCHEMA = "bench_shop"
SITE = "https://shop.example"
BOUNCES = 0.4  # visits of one page view
MORE_PAGES = 0.15  # the chance that a visit of two or more page views stops after each
ENGAGED = 0.3  # page views followed by an engagement event
SIGNUPS = 0.08  # visits with a custom event
RETURNS = 0.15  # visits by a visitor already seen that day
MEAN_GAP_S = 60.0
MAX_GAP_S = 20 * 60.0  # under the 30 minutes that end a visit
HOURS = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 8, 8, 7, 7, 6, 5, 4, 3, 2]

SOURCES: list[tuple[str | None, str, int]] = [  # (referrer, campaign tags, weight)
    (None, "", 32),
    ("https://www.google.com/", "", 30),
    ("https://www.bing.com/", "", 4),
    ("https://duckduckgo.com/", "", 3),
    ("https://news.ycombinator.com/item?id=41", "", 3),
    ("https://www.reddit.com/r/webdev/comments/1", "", 3),
    ("https://t.co/x1", "", 3),
    ("https://www.facebook.com/", "", 3),
    ("https://github.com/shop/shop", "", 3),
    ("https://blog.example/a-post", "", 4),
    (None, "utm_source=newsletter&utm_medium=email&utm_campaign=weekly", 5),
    ("https://www.google.com/", "utm_source=google&utm_medium=cpc&utm_campaign=brand", 4),
    ("https://www.facebook.com/", "utm_source=facebook&utm_medium=social&utm_campaign=spring", 3),
]
AGENTS: list[tuple[str, int]] = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        30,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36",
        15,
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.4 Safari/605.1.15",
        8,
    ),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0", 6),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
        6,
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        18,
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36",
        14,
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1",
        3,
    ),
]
PLACES: list[tuple[str, str, str]] = [
    ("US", "California", "San Francisco"),
    ("US", "California", "Los Angeles"),
    ("US", "New York", "New York"),
    ("US", "Texas", "Austin"),
    ("US", "Washington", "Seattle"),
    ("GB", "England", "London"),
    ("GB", "England", "Manchester"),
    ("DE", "Berlin", "Berlin"),
    ("DE", "Bavaria", "Munich"),
    ("DE", "Hamburg", "Hamburg"),
    ("FR", "Île-de-France", "Paris"),
    ("FR", "Auvergne-Rhône-Alpes", "Lyon"),
    ("IN", "Karnataka", "Bengaluru"),
    ("IN", "Maharashtra", "Mumbai"),
    ("CA", "Ontario", "Toronto"),
    ("CA", "Quebec", "Montreal"),
    ("NL", "North Holland", "Amsterdam"),
    ("ES", "Madrid", "Madrid"),
    ("IT", "Lombardy", "Milan"),
    ("BR", "São Paulo", "São Paulo"),
    ("JP", "Tokyo", "Tokyo"),
    ("AU", "New South Wales", "Sydney"),
    ("SE", "Stockholm", "Stockholm"),
    ("PL", "Mazovia", "Warsaw"),
    ("EE", "Harjumaa", "Tallinn"),
    ("NP", "Bagmati Province", "Kathmandu"),
]
PAGES = [
    "/",
    "/pricing",
    "/about",
    "/docs",
    "/blog",
    "/signup",
    "/login",
    "/contact",
    *(f"/blog/post-{i}" for i in range(250)),
    *(f"/docs/topic-{i}" for i in range(120)),
    *(f"/product/item-{i}" for i in range(300)),
]


def _zipf(count: int, exponent: float = 1.0) -> list[float]:
    return list(itertools.accumulate(1 / (rank**exponent) for rank in range(1, count + 1)))


PAGE_WEIGHTS = _zipf(len(PAGES))
PLACE_WEIGHTS = _zipf(len(PLACES), 0.8)
SOURCE_WEIGHTS = list(itertools.accumulate(w for _, _, w in SOURCES))
AGENT_WEIGHTS = list(itertools.accumulate(w for _, w in AGENTS))
HOUR_WEIGHTS = list(itertools.accumulate(HOURS))
LOCATIONS = [Location(*place) for place in PLACES]


class Visit:
    """One visit's events, as (moment, event type, path, properties), first to last."""

    def __init__(self, rng: random.Random, start: datetime) -> None:
        pages = 1 if rng.random() < BOUNCES else 2
        while pages > 1 and rng.random() > MORE_PAGES:
            pages += 1
        self.events: list[tuple[datetime, str, str, dict[str, Any]]] = []
        moment = start
        signup_at = rng.randrange(pages) if rng.random() < SIGNUPS else -1
        for index in range(pages):
            path = rng.choices(PAGES, cum_weights=PAGE_WEIGHTS)[0]
            self.events.append((moment, "page_view", path, {}))
            if index == signup_at:
                moment += timedelta(seconds=rng.uniform(5, 60))
                self.events.append((moment, "signup", path, {"plan": "pro"}))
            if rng.random() < ENGAGED:
                engaged = rng.uniform(2, 50)
                props = {"engaged_ms": int(engaged * 1000), "scroll_depth": rng.randrange(101)}
                self.events.append((moment + timedelta(seconds=engaged), "engagement", path, props))
            moment += timedelta(seconds=min(rng.expovariate(1 / MEAN_GAP_S), MAX_GAP_S))


def generate(
    container: str, n: int, days: int, end: datetime, rng: random.Random
) -> Iterator[TrackedEvent]:
    """`n` events of the site over the `days` days before `end`, oldest first."""
    start = end - timedelta(days=days)
    pending: list[tuple[datetime, int, TrackedEvent]] = []  # a heap: the next event first
    counter = itertools.count()
    made = 0
    for day in range(days):
        day_start = start + timedelta(days=day)
        quota = round(n * (day + 1) / days)
        visitors: list[tuple[str, str, Location]] = []
        while made < quota:
            if visitors and rng.random() < RETURNS:
                visitor, agent, place = rng.choice(visitors)
            else:
                visitor = f"{rng.getrandbits(64):016x}"
                agent = rng.choices(AGENTS, cum_weights=AGENT_WEIGHTS)[0][0]
                place = rng.choices(LOCATIONS, cum_weights=PLACE_WEIGHTS)[0]
                visitors.append((visitor, agent, place))
            hour = rng.choices(range(24), cum_weights=HOUR_WEIGHTS)[0]
            begin = day_start + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            referrer, tags, _ = rng.choices(SOURCES, cum_weights=SOURCE_WEIGHTS)[0]
            client = ClientContext(visitor, agent, place)
            width = 390 if "Mobile" in agent else 1440
            for index, (moment, kind, path, props) in enumerate(Visit(rng, begin).events):
                if made >= n:
                    break
                url = f"{SITE}{path}" + (f"?{tags}" if index == 0 and tags else "")
                came_from = referrer if index == 0 else None
                event = TrackedEvent(
                    event_id=new_event_id(int(moment.timestamp() * 1000)),
                    schema_id=SCHEMA,
                    event_type=kind,
                    received_at=moment + timedelta(milliseconds=50),
                    container_id=container,
                    client_timestamp=moment,
                    properties=props,
                    client=client,
                    page=PageContext(url, came_from, width),
                )
                heapq.heappush(pending, (moment, next(counter), event))
                made += 1
        day_end = day_start + timedelta(days=1)
        while pending and pending[0][0] < day_end:
            yield heapq.heappop(pending)[2]
    while pending:
        yield heapq.heappop(pending)[2]
