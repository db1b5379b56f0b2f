"""Cost of the enrichment functions: `software`/`is_bot` and `acquisition`, cold and cached.

    python -m bench.enrichment [--count 1000]

Cold is a User-Agent (or referrer and URL) not seen before; cached is the same one again.
The inputs are generated, realistic and distinct; `user_agents` and `visits` can feed other
benchmarks too.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from eventlens.domain import acquisition as acquisition_module
from eventlens.domain import user_agents as user_agents_module
from eventlens.domain.acquisition import acquisition
from eventlens.domain.user_agents import is_bot, software

_DESKTOPS = (
    "Windows NT 10.0; Win64; x64",
    "Macintosh; Intel Mac OS X 10_15_7",
    "X11; Linux x86_64",
    "X11; CrOS x86_64 14541.0.0",
)
_ANDROIDS = ("Pixel 8", "SM-S918B", "SM-A546B", "K", "moto g 5G", "SM-X710", "Lenovo TB-X606F")
_IOS = ("17_4_1", "17_2", "16_6", "15_8")
_BOTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/{v}.0.0.0 Safari/537.36",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
)


def _browser_user_agents() -> Iterator[str]:
    webkit = "AppleWebKit/537.36 (KHTML, like Gecko)"
    for version in itertools.count(100):
        build = f"{version}.0.{6000 + version}.{version % 200}"
        for desktop in _DESKTOPS:
            yield f"Mozilla/5.0 ({desktop}) {webkit} Chrome/{build} Safari/537.36"
            yield f"Mozilla/5.0 ({desktop}; rv:{version}.0) Gecko/20100101 Firefox/{version}.0"
            yield (
                f"Mozilla/5.0 ({desktop}) {webkit} Chrome/{build} Safari/537.36 "
                f"Edg/{version}.0.{2000 + version}.{version % 90}"
            )
        for model in _ANDROIDS:
            mobile = "" if model.startswith(("SM-X", "Lenovo TB")) else "Mobile "
            yield (
                f"Mozilla/5.0 (Linux; Android {10 + version % 5}; {model}) {webkit} "
                f"Chrome/{build} {mobile}Safari/537.36"
            )
        for ios in _IOS:
            for device in ("iPhone; CPU iPhone OS", "iPad; CPU OS"):
                yield (
                    f"Mozilla/5.0 ({device} {ios} like Mac OS X) AppleWebKit/605.1.15 "
                    f"(KHTML, like Gecko) CriOS/{build} Mobile/15E148 Safari/604.1"
                )
        for bot in _BOTS:
            yield bot.replace("{v}", str(version)) + ("" if "{v}" in bot else f" r{version}")


def user_agents(count: int) -> list[str]:
    """`count` distinct User-Agents: mostly browsers of many versions, a few bots."""
    return list(itertools.islice(_browser_user_agents(), count))


_REFERRERS = (
    None,
    "https://www.google.com/",
    "https://www.google.co.uk/search?q=analytics",
    "https://duckduckgo.com/",
    "https://www.bing.com/search?q=x",
    "https://news.ycombinator.com/item?id={n}",
    "https://www.reddit.com/r/selfhosted/comments/{n}/",
    "https://t.co/{n}",
    "https://l.facebook.com/l.php?u=x{n}",
    "https://chatgpt.com/",
    "https://blog{n}.example.org/post",
    "https://example.com/pricing",
)
_QUERIES = (
    "",
    "?utm_source=newsletter&utm_medium=email&utm_campaign=week{n}",
    "?utm_source=fb-ads&utm_campaign=spring{n}",
    "?gclid=Cj0KCQ{n}",
    "?ref=producthunt",
)


def visits(count: int, seed: int = 21) -> list[tuple[str | None, str]]:
    """`count` distinct (referrer, landing URL) pairs for the site example.com."""
    chosen = random.Random(seed)
    return [
        (
            None if (r := chosen.choice(_REFERRERS)) is None else r.replace("{n}", str(n)),
            f"https://example.com/docs/page-{n}" + chosen.choice(_QUERIES).replace("{n}", str(n)),
        )
        for n in range(count)
    ]


def _pass_us(items: Sequence[Any], one: Callable[[Any], object]) -> float:
    started = time.perf_counter()
    for item in items:
        one(item)
    return (time.perf_counter() - started) * 1e6 / len(items)


def _measure(name: str, batches: Sequence[Sequence[Any]], one: Callable[[Any], object]) -> None:
    """Cold: each batch the first time it is seen; cached: the last batch again."""
    _pass_us(batches[0], one)  # loads the parsers and lists, outside the timing
    cold = statistics.median(_pass_us(batch, one) for batch in batches[1:])
    cached = statistics.median(_pass_us(batches[-1], one) for _ in range(5))
    print(f"{name:34} cold {cold:8.2f} µs/call   cached {cached:6.3f} µs/call")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=1000)
    count = parser.parse_args(argv).count

    batches = 6
    agents = user_agents(count * batches)
    pairs = visits(count * batches)
    print(
        f"{batches} batches of {count}: {len(set(agents))} distinct User-Agents, "
        f"{len(set(pairs))} distinct visits, {sum(map(is_bot, agents[:count]))} bots in a batch"
    )
    for name, one in (
        ("software(user_agent)", software),
        ("is_bot(user_agent)", is_bot),
        ("software + is_bot (one parse)", lambda ua: (software(ua), is_bot(ua))),
    ):
        user_agents_module._cached.cache_clear()
        _measure(name, _split(agents, count), one)
    acquisition_module._cached.cache_clear()
    _measure("acquisition(referrer, url)", _split(pairs, count), lambda pair: acquisition(*pair))


def _split(items: list[Any], size: int) -> list[list[Any]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


if __name__ == "__main__":
    main()
