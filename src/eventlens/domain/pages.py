"""The page an event was recorded on: host, path and campaign tags, derived from its URL.

Follows Plausible's definitions: the hostname loses a leading `www.`; the path is the URL's
path, percent-decoded, without query or fragment (with the fragment when the site routes by
hash); `utm_source` falls back to the `source` and then the `ref` parameter, as Plausible
treats `?ref=` as a source tag. A tag that is present but blank counts as absent.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

# Ad click ids, in the order Plausible looks for them; the first one present is kept.
CLICK_ID_PARAMETERS = ("gclid", "gbraid", "wbraid", "msclkid", "fbclid", "twclid")
SOURCE_PARAMETERS = ("utm_source", "source", "ref")
# Longer URLs are still read, but not kept in the cache, so odd input cannot fill memory.
CACHED_URL_LENGTH = 2048


class Page(NamedTuple):
    hostname: str | None
    path: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    utm_content: str | None
    utm_term: str | None
    click_id: str | None
    """The name of the ad click id parameter in the URL (`gclid`, `msclkid`, ...), if any."""


NO_PAGE = Page(None, None, None, None, None, None, None, None)


def page(url: str | None, hash_routing: bool = False) -> Page:
    """The page `url` names; a missing or unreadable URL gives a page of Nones."""
    if not isinstance(url, str) or not url.strip():
        return NO_PAGE
    if len(url) > CACHED_URL_LENGTH:
        return _read(url, hash_routing)
    return _cached(url, hash_routing)


def sanitized_hostname(hostname: str | None) -> str | None:
    """`hostname` lower-cased, without a leading `www.`, or None when nothing is left."""
    if not hostname:
        return None
    return hostname.strip().lower().removeprefix("www.") or None


@lru_cache(maxsize=8192)
def _cached(url: str, hash_routing: bool) -> Page:
    return _read(url, hash_routing)


def _read(url: str, hash_routing: bool) -> Page:
    try:
        parts = urlsplit(url.strip())
        hostname = sanitized_hostname(parts.hostname)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return NO_PAGE
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return Page(
        hostname=hostname,
        path=_path(parts, hostname, hash_routing),
        utm_source=next(filter(None, (_tag(query, name) for name in SOURCE_PARAMETERS)), None),
        utm_medium=_tag(query, "utm_medium"),
        utm_campaign=_tag(query, "utm_campaign"),
        utm_content=_tag(query, "utm_content"),
        utm_term=_tag(query, "utm_term"),
        click_id=next((name for name in CLICK_ID_PARAMETERS if name in query), None),
    )


def _path(parts: SplitResult, hostname: str | None, hash_routing: bool) -> str | None:
    if hostname is None and not parts.path.startswith("/"):
        return None
    path = unquote(parts.path or "/").rstrip() or "/"
    if hash_routing and parts.fragment:
        return f"{path}#{unquote(parts.fragment)}"
    return path


def _tag(query: dict[str, str], name: str) -> str | None:
    value = query.get(name)
    return value if value and value.strip() else None
