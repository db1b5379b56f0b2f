"""Browser, operating system and device type from a User-Agent, and whether it is a bot.

Parsed by ua-parser (the uap-core rules) and written as Plausible shows them: mobile variants
under the browser's name (`Chrome Mobile` is Chrome), in-app browsers as "Mobile App" without
a version, versions as major.minor (`120.0`, `17.4`, `10`), `Mac` and `GNU/Linux`. A part that
cannot be told is `""`.

ua-parser names device families, not types, so the type comes from the User-Agent's own
tokens: an iPad, a Kindle (Silk), a "Tablet", or Android without "Mobile" is a Tablet; an
iPhone, an iPod or anything "Mobi(le)" is Mobile; anything else recognised is Desktop. An
iPad asking for the desktop site says it is a Mac, and counts as Desktop.

A bot is a missing or blank User-Agent, a crawler or automated browser of the
crawler-user-agents list (HeadlessChrome, PhantomJS, Puppeteer, Lighthouse, ...), or what
ua-parser calls a Spider. The generic HTTP clients that server-side integrations send with
(curl, python-requests, httpx, Go's and Java's clients, node-fetch, axios, okhttp, ...) are
not bots, although the list names them.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any, NamedTuple

import crawleruseragents
import re2
import ua_parser

MOBILE_APP = "Mobile App"
# Longer User-Agents are still classified, but not kept in the cache, so odd input cannot
# fill memory.
CACHED_USER_AGENT_LENGTH = 1024

# Patterns of the crawler list that name generic HTTP client libraries, not crawlers.
GENERIC_HTTP_CLIENT_PATTERNS = frozenset(
    {
        "^curl",
        "^HTTPie\\/",
        "python-requests",
        "httpx",
        "aiohttp",
        "Python-urllib",
        "Go-http-client",
        "node-fetch",
        "axios",
        "sindresorhus\\/got",
        "okhttp",
        "^Apache-HttpClient",
        "AHC\\/",
        "HttpUrlConnection",
        "Jetty",
        "^PHP-Curl-Class",
        "libwww-perl",
    }
)
# ua-parser calls Java's built-in client a Spider; it is a generic client too.
_OTHER_GENERIC_HTTP_CLIENTS = ("^Java/",)
# RE2's default memory budget is too small for the crawler list's automaton: RE2 would fall
# back to its slower matcher. The budget is a ceiling; the automaton grows only as it is used.
_ALTERNATION_MEMORY = 32 << 20

_BROWSER_NAMES = {
    "Mobile Safari": "Safari",
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
    "Opera Mini": "Opera",
    "Opera Touch": "Opera",
    "Other": "",
}
_IN_APP_BROWSERS = frozenset(
    {
        "Chrome Mobile WebView",
        "Mobile Safari UI/WKWebView",
        "Facebook",
        "Instagram",
        "LinkedIn",
        "Pinterest",
        "Snapchat",
        "Twitter",
        "WeChat",
    }
)
# "Tablet PC" is a Windows component that desktop Internet Explorer announced.
_TABLET = re.compile(r"iPad|Kindle|Silk/|Tablet(?! PC)")
_MOBILE = re.compile(r"Mobi|iPhone|iPod")
_OS_NAMES = {"Mac OS X": "Mac", "Linux": "GNU/Linux", "Other": ""}


class Software(NamedTuple):
    browser: str
    browser_version: str
    os: str
    os_version: str
    device: str
    """Desktop, Mobile or Tablet; empty when nothing in the User-Agent was recognised."""


UNKNOWN_SOFTWARE = Software("", "", "", "", "")


class _Reading(NamedTuple):
    software: Software
    bot: bool


def software(user_agent: str | None) -> Software:
    """The browser, OS and device type `user_agent` names."""
    if not user_agent or not user_agent.strip():
        return UNKNOWN_SOFTWARE
    return _reading(user_agent).software


def is_bot(user_agent: str | None) -> bool:
    """Whether `user_agent` is missing, blank, a known crawler or an automated browser."""
    if not user_agent or not user_agent.strip():
        return True
    return _reading(user_agent).bot


def device_type(user_agent: str) -> str:
    """Tablet, Mobile or Desktop, from the tokens devices put in their User-Agents."""
    if _TABLET.search(user_agent):
        return "Tablet"
    if _MOBILE.search(user_agent):
        return "Mobile"
    return "Tablet" if "Android" in user_agent else "Desktop"


def _reading(user_agent: str) -> _Reading:
    if len(user_agent) > CACHED_USER_AGENT_LENGTH:
        return _read(user_agent)
    return _cached(user_agent)


@lru_cache(maxsize=8192)
def _cached(user_agent: str) -> _Reading:
    return _read(user_agent)


def _read(user_agent: str) -> _Reading:
    parsed = _parser().parse(_encodable(user_agent))
    spider = parsed.device is not None and parsed.device.family == "Spider"
    bot = _matches(_crawlers(), user_agent) or (
        spider and not _matches(_generic_http_clients(), user_agent)
    )
    return _Reading(_software(parsed, user_agent), bot)


def _software(parsed: ua_parser.Result, user_agent: str) -> Software:
    browser, browser_version = "", ""
    if parsed.user_agent is not None:
        family = parsed.user_agent.family
        if family in _IN_APP_BROWSERS:
            browser = MOBILE_APP
        else:
            browser = _BROWSER_NAMES.get(family, family)
            browser_version = _major_minor(parsed.user_agent.major, parsed.user_agent.minor)
    os, os_version = "", ""
    if parsed.os is not None:
        os = _OS_NAMES.get(parsed.os.family, parsed.os.family)
        os_version = _major_minor(parsed.os.major, parsed.os.minor) if os else ""
    device = device_type(user_agent) if browser or os else ""
    return Software(browser, browser_version if browser else "", os, os_version, device)


def _major_minor(major: str | None, minor: str | None) -> str:
    if not major:
        return ""
    return f"{major}.{minor}" if minor else major


def _encodable(text: str) -> str:
    """`text` without lone surrogates, which cannot be encoded to UTF-8 for the parsers."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _matches(pattern: Any, text: str) -> bool:
    return pattern.search(_encodable(text)) is not None


@cache
def _parser() -> ua_parser.Parser:
    # Without ua-parser's own cache: results are cached here, with the bot verdict.
    return ua_parser.Parser(ua_parser.BestAvailableResolver(ua_parser.load_lazy_builtins()))


@cache
def _crawlers() -> Any:
    """The crawler list, less the generic HTTP clients, as one RE2 alternation."""
    patterns = [
        entry["pattern"]
        for entry in crawleruseragents.CRAWLER_USER_AGENTS_DATA
        if entry["pattern"] not in GENERIC_HTTP_CLIENT_PATTERNS
    ]
    return _alternation(patterns)


@cache
def _generic_http_clients() -> Any:
    return _alternation([*GENERIC_HTTP_CLIENT_PATTERNS, *_OTHER_GENERIC_HTTP_CLIENTS])


def _alternation(patterns: list[str]) -> Any:
    # RE2 runs the whole alternation in one linear pass; Python's `re` would try each of the
    # list's 1,500 patterns in turn at every position.
    options = re2.Options()
    options.log_errors = False
    options.max_mem = _ALTERNATION_MEMORY
    return re2.compile("|".join(f"(?:{pattern})" for pattern in patterns), options)
