"""Tracker-like events: what `tracker/t.js` sends from many visitors' browsers.

Each visitor keeps one browser (User-Agent) and screen; events are mostly page views of
several pages, some engagement and outbound clicks, a few of the seed schema's own types,
with referrers on landing pages and the current time as the client's timestamp. A request
carries one event (`POST /api/events/batch`, `{"events": [...]}` as text/plain, as the
tracker sends it when a page view is flushed on its own).
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime
from typing import Any

import orjson

from bench.enrichment import user_agents, visits

PATH = "/api/events/batch"
SITE = "http://localhost:8080"  # the seed adaptor's website
PAGES = ("/", "/projects", "/projects/eventlens", "/about", "/blog", "/blog/post-1", "/contact")
# (event type, weight): the tracker's standard types and some of the seed schema's.
TYPES = (
    ("page_view", 70),
    ("engagement", 15),
    ("outbound_click", 6),
    ("github_project_click", 4),
    ("navigation_click", 3),
    ("email_link_click", 2),
)
SCREENS = (390, 414, 768, 1280, 1440, 1920)
VISITORS = 20_000
BROWSERS = [ua for ua in user_agents(400) if "bot" not in ua.lower() and "Headless" not in ua]


def time_ordered_id(tag: str, rng: random.Random) -> str:
    """An event id as `tracker/t.js` makes them, time-ordered like a UUIDv7 (so the store's
    unique index grows at its right edge, as it does under real trackers), with the run's
    `tag` as its first 32 bits for the ledger: then 40 bits of the Unix time in ms, the
    version, and random bits."""
    ms = time.time_ns() // 1_000_000 & (1 << 40) - 1
    low = rng.getrandbits(56)
    return (
        f"{tag}-{ms >> 24:04x}-7{ms >> 12 & 0xFFF:03x}-{0x8000 | (ms & 0xFFF) << 2 | low >> 54:04x}"
        f"-{low & (1 << 48) - 1:012x}"
    )


class TrackerTraffic:
    """A seeded stream of tracker requests; `request(tag)` is the next one's body, headers and
    event id (its first 32 bits are `tag`)."""

    def __init__(self, container_id: str, seed: int | None = None) -> None:
        self.container_id = container_id
        self.rng = random.Random(seed)
        self.landings = visits(500, seed=seed or 21)
        self.types = [name for name, _ in TYPES]
        self.weights = [weight for _, weight in TYPES]

    def event(self, tag: str, visitor: int) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choices(self.types, self.weights)[0]
        referrer, landing = None, None
        if kind == "page_view" and rng.random() < 0.3:
            referrer, landing = rng.choice(self.landings)
        query = landing.partition("?")[2] if landing else ""
        url = SITE + rng.choice(PAGES) + ("?" + query if query else "")
        properties: dict[str, Any] = {}
        if kind == "engagement":
            properties = {
                "engaged_ms": rng.randint(500, 120_000),
                "scroll_depth": rng.randint(0, 100),
            }
        elif kind == "outbound_click":
            properties = {"url": f"https://github.com/example/repo{rng.randint(1, 40)}"}
        return {
            "event_id": time_ordered_id(tag, rng),
            "container_id": self.container_id,
            "event_type": kind,
            "url": url,
            "referrer": referrer,
            "screen_width": SCREENS[visitor % len(SCREENS)],
            "timestamp": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "properties": properties,
            "automated": False,
        }

    def request(self, tag: str) -> tuple[bytes, dict[str, str], str]:
        visitor = self.rng.randrange(VISITORS)
        event = self.event(tag, visitor)
        headers = {
            "Content-Type": "text/plain;charset=UTF-8",
            "User-Agent": BROWSERS[visitor % len(BROWSERS)],
            "Origin": SITE,
        }
        return orjson.dumps({"events": [event]}), headers, str(event["event_id"])
