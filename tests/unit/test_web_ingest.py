"""Ingest for web analytics, without a server: each event gets its client (visitor id,
User-Agent, place) and never the address; bots are kept out; the tracker names no schema;
Plausible's Events API is read into the same events."""

from __future__ import annotations

import asyncio
from datetime import date

import orjson
import pytest

from eventlens.api.ingest import Admitted, Ingest, IngestLimits
from eventlens.api.ingest_answers import Answer
from eventlens.api.ingest_asgi import settle
from eventlens.domain.visitors import Location, Requester, visitor_id
from eventlens.eventstore.codec import decode_tracked, encode_rejected, encode_tracked
from tests.unit.fakes import InMemoryStore, Site

SITE = "https://shop.example"
ADDRESS = "198.51.100.7"
SALT = b"s" * 32
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
PARIS = Location("FR", "Île-de-France", "Paris")


class FixedVisitors:
    def requester(self, address: str, user_agent: str | None, day: date) -> Requester:
        return Requester(address, user_agent, SALT, PARIS)


@pytest.fixture
def site() -> Site:
    return Site({"signup": {}}, [SITE])


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore()


def send(
    site: Site,
    store: InMemoryStore,
    body: object,
    path: str = "/api/events/batch",
    user_agent: str | None = CHROME,
) -> Answer:
    ingest = Ingest(IngestLimits(rate_limit=0)).serve(site.cache, store, FixedVisitors())
    head = {b"content-type": b"text/plain", b"origin": SITE.encode()}
    if user_agent is not None:
        head[b"user-agent"] = user_agent.encode()
    admitted = ingest.admit("POST", path, head, ADDRESS)
    assert isinstance(admitted, Admitted)
    return asyncio.run(_take(ingest, admitted, orjson.dumps(body)))


async def _take(ingest: Ingest, admitted: Admitted, raw: bytes) -> Answer:
    return await settle(ingest.take(admitted, raw))


def tracked(site: Site, event_type: str = "page_view", **fields: object) -> dict[str, object]:
    return {
        "container_id": site.container_id,
        "event_type": event_type,
        "url": f"{SITE}/pricing",
        "referrer": "https://www.google.com/",
        "screen_width": 1280,
        **fields,
    }


def test_a_tracker_event_takes_its_schema_from_its_adaptor(
    site: Site, store: InMemoryStore
) -> None:
    answer = send(site, store, {"events": [tracked(site)]})

    assert answer.status == 202, answer.body
    [event] = store.tracked
    assert (event.schema_id, event.container_id) == ("site", site.container_id)


def test_each_event_records_its_visitor_user_agent_place_and_page(
    site: Site, store: InMemoryStore
) -> None:
    send(site, store, {"events": [tracked(site)]})

    [event] = store.tracked
    assert event.client is not None and event.page is not None
    assert event.client.visitor_id == visitor_id(SALT, site.container_id, ADDRESS, CHROME)
    assert (event.client.user_agent, event.client.location) == (CHROME, PARIS)
    assert (event.page.url, event.page.referrer, event.page.screen_width) == (
        f"{SITE}/pricing",
        "https://www.google.com/",
        1280,
    )


def test_the_address_is_in_no_recorded_event(site: Site, store: InMemoryStore) -> None:
    send(site, store, {"events": [tracked(site), tracked(site, "teleport")]})
    send(site, store, {"events": [tracked(site)]}, user_agent=GOOGLEBOT)

    stored = [encode_tracked(e) for e in store.tracked] + [
        encode_rejected(r) for r in store.rejected
    ]
    assert len(stored) == 3
    assert all(ADDRESS.encode() not in payload for payload in stored)


def test_the_recorded_client_and_page_survive_the_store(site: Site, store: InMemoryStore) -> None:
    send(site, store, {"events": [tracked(site)]})
    [event] = store.tracked

    assert decode_tracked(encode_tracked(event)) == event


@pytest.mark.parametrize(
    "user_agent",
    [
        GOOGLEBOT,
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/131.0.0.0 Safari/537.36",
        None,
    ],
    ids=["crawler", "headless", "no user agent"],
)
def test_a_bot_is_kept_as_rejected_for_its_count_never_tracked(
    site: Site, store: InMemoryStore, user_agent: str | None
) -> None:
    answer = send(site, store, {"events": [tracked(site)]}, user_agent=user_agent)

    assert answer.status == 422
    assert store.tracked == []
    assert [r.code.value for r in store.rejected[0].reasons] == ["bot"]


def test_a_page_under_automation_is_a_bot(site: Site, store: InMemoryStore) -> None:
    send(site, store, {"events": [tracked(site, automated=True)]})

    assert [r.code.value for r in store.rejected[0].reasons] == ["bot"]


def test_a_server_side_sender_is_not_a_bot(site: Site, store: InMemoryStore) -> None:
    answer = send(site, store, {"events": [tracked(site)]}, user_agent="curl/8.11.1")

    assert answer.status == 202


def test_the_trackers_types_need_no_declaration_and_custom_types_do(
    site: Site, store: InMemoryStore
) -> None:
    types = ["page_view", "outbound_click", "file_download", "engagement", "signup", "teleport"]
    answer = send(site, store, {"events": [tracked(site, t) for t in types]})

    results = orjson.loads(answer.body)["results"]
    assert [r["status"] for r in results] == ["accepted"] * 5 + ["rejected"]
    assert results[5]["reasons"][0]["code"] == "unknown_event_type"


def plausible(site: Site, store: InMemoryStore, body: object, **kw: str | None) -> Answer:
    return send(site, store, body, path="/api/event", **kw)  # type: ignore[arg-type]


def test_plausibles_pageview_is_a_page_view_answered_202_ok(
    site: Site, store: InMemoryStore
) -> None:
    body = {"name": "pageview", "url": f"{SITE}/blog#top", "domain": "shop.example"}

    answer = plausible(site, store, body)

    assert (answer.status, answer.body) == (202, b"ok")
    [event] = store.tracked
    assert (event.event_type, event.container_id) == ("page_view", site.container_id)
    assert event.page is not None and event.page.url == f"{SITE}/blog"  # no hash mode


def test_plausibles_short_keys_custom_events_props_and_revenue(
    site: Site, store: InMemoryStore
) -> None:
    body = {
        "n": "signup",
        "u": f"{SITE}/#/plans",
        "d": "www.shop.example",
        "r": "https://news.ycombinator.com/",
        "p": {"plan": "pro", "seats": 3, "trial": True},
        "$": {"amount": "49.90", "currency": "eur"},
        "i": False,
        "h": 1,
    }

    assert plausible(site, store, body).status == 202

    [event] = store.tracked
    assert event.event_type == "signup"
    assert event.properties == {"plan": "pro", "seats": "3", "trial": "true"}
    # the amount kept exactly as sent, never through a binary float
    assert event.metadata["revenue"] == {"amount": "49.90", "currency": "EUR"}
    assert event.metadata["interactive"] is False
    assert event.page is not None
    assert (event.page.url, event.page.referrer) == (
        f"{SITE}/#/plans",
        "https://news.ycombinator.com/",
    )


def test_plausibles_engagement_keeps_scroll_depth_and_engaged_time(
    site: Site, store: InMemoryStore
) -> None:
    body = {"n": "engagement", "u": f"{SITE}/", "d": "shop.example", "sd": 75, "e": 5400}

    plausible(site, store, body)

    assert store.tracked[0].properties == {"scroll_depth": 75, "engaged_ms": 5400}


def test_a_bot_on_plausibles_api_is_answered_202_and_not_tracked(
    site: Site, store: InMemoryStore
) -> None:
    body = {"name": "pageview", "url": f"{SITE}/", "domain": "shop.example"}

    answer = plausible(site, store, body, user_agent=GOOGLEBOT)

    assert (answer.status, answer.body) == (202, b"ok")
    assert store.tracked == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": f"{SITE}/", "domain": "shop.example"}, "name"),
        ({"name": "pageview", "domain": "shop.example"}, "url"),
        ({"name": "pageview", "url": f"{SITE}/"}, "domain"),
        ({"name": "pageview", "url": "not a url", "domain": "shop.example"}, "url"),
        ({"name": "x", "url": f"{SITE}/", "domain": "shop.example", "props": [1]}, "props"),
        (
            {
                "name": "x",
                "url": f"{SITE}/",
                "domain": "shop.example",
                "revenue": {"amount": 1, "currency": "euro"},
            },
            "revenue",
        ),
        ([1, 2], "(body)"),
    ],
    ids=["no name", "no url", "no domain", "bad url", "props", "revenue", "not an object"],
)
def test_a_malformed_plausible_request_is_400_naming_the_field(
    site: Site, store: InMemoryStore, body: object, field: str
) -> None:
    answer = plausible(site, store, body)

    assert answer.status == 400
    assert orjson.loads(answer.body)["error"]["details"][0]["field"] == field
    assert store.tracked == store.rejected == []


def test_an_unknown_plausible_domain_is_404_and_kept_as_rejected(
    site: Site, store: InMemoryStore
) -> None:
    body = {"name": "pageview", "url": "https://other.example/", "domain": "other.example"}

    answer = plausible(site, store, body)

    assert answer.status == 404
    assert "other.example" in orjson.loads(answer.body)["detail"]
    assert store.rejected[0].reasons[0].code.value == "unknown_adaptor"
