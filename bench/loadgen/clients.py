"""The clients a load run speaks as: a realistic mix of browsers, addresses, referrers and
landing pages, so that ingest pays for visitor hashing, the place lookup and the parsers'
caches as it would on a real site (1,000 distinct clients by default)."""

from __future__ import annotations

import random
import tempfile
from functools import cache
from pathlib import Path

from bench.enrichment import user_agents, visits
from eventlens.domain.user_agents import is_bot

CLIENTS = 1000


def addresses(count: int, seed: int = 7) -> list[str]:
    """Public IPv4 addresses spread over the world's ranges (what a geo lookup meets)."""
    chosen = random.Random(seed)
    firsts = [2, 5, 24, 31, 37, 41, 46, 62, 77, 81, 89, 93, 101, 110, 121, 151, 177, 185, 193, 203]
    found = []
    for _ in range(count):
        first, second, third = chosen.choice(firsts), chosen.randrange(256), chosen.randrange(256)
        found.append(f"{first}.{second}.{third}.{chosen.randrange(1, 255)}")
    return found


@cache
def clients_file(count: int = CLIENTS) -> Path:
    """A file of `count` lines `user agent TAB address TAB referrer TAB url` (referrer may be
    empty), for the wrk script; bots are left out (they are refused, not recorded)."""
    agents = [agent for agent in user_agents(count * 2) if not is_bot(agent)][:count]
    pages = visits(count)
    lines = [
        f"{agent}\t{address}\t{referrer or ''}\t{url}"
        for agent, address, (referrer, url) in zip(agents, addresses(count), pages, strict=False)
    ]
    path = Path(tempfile.mkdtemp(prefix="eventlens-bench-")) / "clients.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path
