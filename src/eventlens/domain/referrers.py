"""Known traffic sources: which source a referrer's host belongs to, and what kind of source it is.

Two packaged data files (see docs/THIRD_PARTY.md):
- `data/referrers.json`, a referrer database of about 2,400 hosts, each with a source name
  and a medium (search, social, email, ...), kept as published;
- `data/sources.json`, EventLens's own additions: hosts the database lacks (AI assistants,
  newer social networks, shops), the names Plausible shows where they differ (`X (Twitter)`),
  `utm_source` shorthands (`fb`, `ig`, `adwords`), and categories.

A source's category is one of GA4's source categories, which Plausible's channels are built
on. It is looked up by the source's name or host, lower-cased; the additions' categories win
over the database's media, which know no video or shopping sites.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SEARCH = "search"
SOCIAL = "social"
VIDEO = "video"
SHOPPING = "shopping"
EMAIL = "email"
AI_ASSISTANTS = "ai_assistants"

# A name listed under several media (Google: search, paid, unknown) takes the first here.
_MEDIA_BY_PRECEDENCE = (SEARCH, SOCIAL, EMAIL)


@dataclass(frozen=True)
class _Directory:
    hosts: dict[str, str]
    """Host, without `www.`, to source name."""
    paths: dict[str, tuple[tuple[str, str], ...]]
    """Host to (path prefix, source name) pairs, longest prefix first (`google.com/imgres`)."""
    names: dict[str, str]
    """Lower-cased source name or shorthand to the name shown."""
    categories: dict[str, str]
    """Lower-cased source name or host to its category."""


def host_source(host: str, path: str = "") -> str | None:
    """The known source `host` (lower-case, without `www.`) belongs to, or None.

    The host itself is looked up first, then each parent domain (`amp.reddit.com`, then
    `reddit.com`), so a more specific entry wins: `gemini.google.com` is Google Gemini.
    """
    directory = _directory()
    labels = host.split(".")
    for start in range(max(len(labels) - 1, 1)):
        domain = ".".join(labels[start:])
        for prefix, named in directory.paths.get(domain, ()):
            if path.startswith(prefix):
                return named
        if named_host := directory.hosts.get(domain):
            return named_host
    return None


def known_source(name: str) -> str | None:
    """The name shown for a source named or abbreviated `name` (any case), or None."""
    return _directory().names.get(name.strip().lower())


def source_category(source: str) -> str | None:
    """The category of `source`, a source name or a host; None for an uncategorised one."""
    directory = _directory()
    lowered = source.strip().lower()
    if category := directory.categories.get(lowered):
        return category
    if "." in lowered and (name := host_source(lowered.removeprefix("www."))):
        return directory.categories.get(name.lower())
    return None


@cache
def _directory() -> _Directory:
    referrers = _load("referrers.json")
    additions = _load("sources.json")
    renames: dict[str, str] = additions["renames"]
    hosts: dict[str, str] = {}
    paths: dict[str, list[tuple[str, str]]] = {}
    names: dict[str, str] = {}
    media: dict[str, set[str]] = {}
    for key, entry in referrers.items():
        name = renames.get(entry["source"], entry["source"])
        host, slash, prefix = key.lower().partition("/")
        bare = host.removeprefix("www.")
        if slash:
            paths.setdefault(bare, []).append(("/" + prefix, name))
        elif bare == host or bare not in hosts:
            hosts[bare] = name
        for known in {entry["source"], name}:
            names.setdefault(known.lower(), name)
            media.setdefault(known.lower(), set()).add(entry["medium"])
    hosts.update(additions["hosts"])
    for name in additions["hosts"].values():
        names.setdefault(name.lower(), name)
    names.update(additions["aliases"])
    categories = {
        key: next(medium for medium in _MEDIA_BY_PRECEDENCE if medium in listed)
        for key, listed in media.items()
        if any(medium in listed for medium in _MEDIA_BY_PRECEDENCE)
    }
    for category, keys in additions["categories"].items():
        categories.update(dict.fromkeys(keys, category))
    return _Directory(
        hosts=hosts,
        paths={
            host: tuple(sorted(pairs, key=lambda pair: -len(pair[0])))
            for host, pairs in paths.items()
        },
        names=names,
        categories=categories,
    )


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(
        resources.files("eventlens.domain").joinpath("data", name).read_text(encoding="utf-8")
    )
    return loaded
