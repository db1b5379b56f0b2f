"""Plausible's Events API (`POST /api/event`), read into EventLens's tracked events.

Plausible's script, its npm package and the server-side integrations built for it send here
unchanged: the body's long or short keys (`name`/`n`, `url`/`u`, `domain`/`d`,
`referrer`/`r`, `props`/`p`, `revenue`/`$`, `interactive`/`i`, `hash`/`h`) and its
engagement events (`sd`, `e`). `domain` names the site: the adaptor whose website has that
host. `pageview` is EventLens's `page_view`; `engagement` keeps its scroll depth and engaged
time as properties; any other name is a custom event its schema must declare.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from eventlens.api.ingest_models import InvalidEvent
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.event_ids import new_event_id
from eventlens.domain.goals import decimal_amount
from eventlens.domain.pages import sanitized_hostname
from eventlens.domain.tracking import TrackedEvent
from eventlens.domain.visitors import PageContext

PATH = "/api/event"
MAX_NAME = 120
MAX_URL = 2000
MAX_DOMAINS = 10
MAX_PROPS = 30
MAX_PROP_KEY = 300
MAX_PROP_VALUE = 2000
NAMES = {"pageview": "page_view", "engagement": "engagement"}
# Long keys, each with the short one Plausible's script sends.
KEYS = {
    "name": "n",
    "url": "u",
    "domain": "d",
    "referrer": "r",
    "props": "p",
    "revenue": "$",
    "interactive": "i",
    "hash": "h",
}


def _field(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    return data.get(KEYS[name]) if value is None else value


def _fail(field: str, message: str) -> InvalidEvent:
    return InvalidEvent([{"field": field, "message": message}])


def _text(data: dict[str, Any], name: str, most: int, *, required: bool) -> str | None:
    value = _field(data, name)
    if value is None or value == "":
        if required:
            return _missing(name)
        return None
    if not isinstance(value, str):
        raise _fail(name, "must be a string")
    if len(value) > most:
        raise _fail(name, f"may be at most {most} characters")
    return value


def _missing(name: str) -> str:
    raise _fail(name, f"is required (or its short form {KEYS[name]!r})")


def _props(data: dict[str, Any]) -> dict[str, Any]:
    props = _field(data, "props")
    if props is None:
        return {}
    if isinstance(props, str):  # some integrations send the object as JSON text
        try:
            props = orjson.loads(props)
        except orjson.JSONDecodeError:
            raise _fail("props", "must be an object") from None
    if not isinstance(props, dict):
        raise _fail("props", "must be an object")
    if len(props) > MAX_PROPS:
        raise _fail("props", f"may hold at most {MAX_PROPS} properties")
    kept: dict[str, Any] = {}
    for key, value in props.items():
        if len(key) > MAX_PROP_KEY:
            raise _fail("props", f"a property name may be at most {MAX_PROP_KEY} characters")
        if value is None or isinstance(value, (dict, list)):
            continue  # as Plausible: only scalar values are kept
        if isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = value if isinstance(value, str) else str(value)
        if len(text) > MAX_PROP_VALUE:
            raise _fail("props", f"a property value may be at most {MAX_PROP_VALUE} characters")
        kept[key] = text
    return kept


def _revenue(data: dict[str, Any]) -> dict[str, Any] | None:
    """`{"amount": "49.90", "currency": "EUR"}`: the amount kept as the exact decimal it was
    sent as (a number's shortest form), never through a binary float."""
    revenue = _field(data, "revenue")
    if revenue is None:
        return None
    if not isinstance(revenue, dict):
        raise _fail("revenue", "must be an object with amount and currency")
    amount, currency = revenue.get("amount"), revenue.get("currency")
    if isinstance(amount, bool) or not isinstance(amount, (int, float, str)):
        raise _fail("revenue", "amount must be a number")
    exact = decimal_amount(amount)
    if exact is None:
        raise _fail("revenue", "amount must be a number")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise _fail("revenue", "currency must be a three-letter ISO 4217 code")
    return {"amount": exact, "currency": currency.upper()}


def _engagement(data: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for short, name, most in (("sd", "scroll_depth", 100), ("e", "engaged_ms", 86_400_000)):
        value = data.get(short)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or not value >= 0:
            raise _fail(short, "must be a whole number, 0 or more")
        found[name] = min(value, most)
    return found


def host_of(domain: str) -> str:
    """A site's domain as Plausible names it: the host, lower-case, without `www.`."""
    return sanitized_hostname(domain) or ""


def adaptor_hosts(adaptors: list[Adaptor]) -> dict[str, Adaptor]:
    """Active adaptors by their websites' hosts (the first of each host wins)."""
    found: dict[str, Adaptor] = {}
    for adaptor in adaptors:
        if not adaptor.active:
            continue
        for url in adaptor.website_urls:
            host = urlsplit(url).hostname
            if host:
                found.setdefault(host_of(host), adaptor)
    return found


def plausible_events(
    data: Any, received_at: datetime, adaptor_for: Callable[[str], Adaptor | None]
) -> list[TrackedEvent]:
    """The events a Plausible request records: one per domain it names."""
    if not isinstance(data, dict):
        raise _fail("(body)", "must be a JSON object")
    name = _text(data, "name", MAX_NAME, required=True)
    url = _text(data, "url", MAX_URL, required=True)
    domains = _text(data, "domain", 1000, required=True)
    assert name is not None and url is not None and domains is not None
    if urlsplit(url).scheme not in ("http", "https", "app"):
        raise _fail("url", "must be an absolute http(s) URL")
    referrer = _text(data, "referrer", MAX_URL, required=False)
    properties = _props(data)
    event_type = NAMES.get(name, name)
    if event_type == "engagement":
        properties.update(_engagement(data))
    metadata: dict[str, Any] = {"sent_as": "plausible"}
    revenue = _revenue(data)
    if revenue is not None:
        metadata["revenue"] = revenue
    if _field(data, "interactive") is False:
        metadata["interactive"] = False
    if not _field(data, "hash"):
        url = url.split("#", 1)[0]  # the fragment is a route only in hash mode
    sites = [host_of(d) for d in domains.split(",") if d.strip()][:MAX_DOMAINS]
    if not sites:
        _missing("domain")
    events = []
    for site in sites:
        adaptor = adaptor_for(site)
        events.append(
            TrackedEvent(
                event_id=new_event_id(),
                schema_id=adaptor.schema_name if adaptor is not None else "",
                event_type=event_type,
                received_at=received_at,
                # An unknown site is kept as rejected under the name it was sent with.
                container_id=adaptor.container_id if adaptor is not None else site,
                properties=dict(properties),
                metadata=metadata,
                page=PageContext(url, referrer),
            )
        )
    return events
