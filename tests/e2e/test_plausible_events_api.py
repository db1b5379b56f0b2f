"""Plausible's Events API (`POST /api/event`) against a real `eventlens up`, with the requests
Plausible documents: the Events API reference's curl example, a custom event with props,
revenue, the short keys its own script sends, and its engagement events. Each is answered
`202 ok` as Plausible answers it and recorded once with the site's fields; a malformed body
is answered 4xx naming the field; a crawler is answered 202 and counted, not recorded; an
unknown site is answered 404 and kept as rejected."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson
import pytest

from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]

# The Events API reference's example User-Agent (Opera on a Mac).
OPERA_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/85.0.4183.121 Safari/537.36 OPR/71.0.3770.284"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
SCHEMA = "dummy_site"
Event = dict[str, Any]


@pytest.fixture(scope="module")
def sites(shared_platform: RunningPlatform) -> dict[str, str]:
    """Two sites, `dummy.site` and `other.site`, by their domain: their container ids."""
    schema = shared_platform.admin_post(
        "/api/schemas/",
        {
            "name": SCHEMA,
            "description": "The Events API reference's example site",
            "properties": {"Signup": {}, "Purchase": {}, "Download": {}},
        },
    )
    assert schema.status_code == 201, schema.text
    found = {}
    for domain in ("dummy.site", "other.site"):
        adaptor = shared_platform.admin_post(
            "/api/adaptors/",
            {"name": domain, "schema_id": SCHEMA, "website_url": f"http://{domain}"},
        )
        assert adaptor.status_code == 201, adaptor.text
        found[domain] = adaptor.json()["container_id"]
    return found


def send(
    platform: RunningPlatform,
    body: Any,
    *,
    user_agent: str = OPERA_MAC,
    forwarded_for: str = "127.0.0.1",
    content_type: str = "application/json",
) -> httpx.Response:
    """As the reference's curl example sends it."""
    content = body if isinstance(body, (str, bytes)) else orjson.dumps(body)
    return platform.client.post(
        "/api/event",
        content=content,
        headers={
            "User-Agent": user_agent,
            "X-Forwarded-For": forwarded_for,
            "Content-Type": content_type,
        },
    )


def event_ids(platform: RunningPlatform) -> set[str]:
    return {e["event_id"] for e in platform.recent(limit=1000, schema_id=SCHEMA)}


def new_events(
    platform: RunningPlatform,
    before: set[str],
    wanted: Callable[[list[Event]], bool] = bool,
    timeout: float = 30,
) -> list[Event]:
    """The site's events recorded since `before` was taken, once `wanted` holds for them."""
    deadline = time.monotonic() + timeout
    while True:
        fresh = [
            e for e in platform.recent(limit=1000, schema_id=SCHEMA) if e["event_id"] not in before
        ]
        if wanted(fresh) or time.monotonic() > deadline:
            return fresh
        time.sleep(0.1)


def recorded_once(platform: RunningPlatform, body: Any, **headers: str) -> Event:
    """Send `body`; it is answered `202 ok` and recorded as exactly one event."""
    before = event_ids(platform)

    response = send(platform, body, **headers)

    assert (response.status_code, response.text) == (202, "ok")
    [event] = new_events(platform, before)
    return event


def test_the_reference_curl_example_is_a_page_view_of_the_site(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {"name": "pageview", "url": "http://dummy.site", "domain": "dummy.site"}

    event = recorded_once(shared_platform, body)

    assert (event["event_type"], event["container_id"]) == ("page_view", sites["dummy.site"])
    assert (event["hostname"], event["path"]) == ("dummy.site", "/")
    assert (event["source"], event["channel"]) == ("Direct / None", "Direct")
    assert (event["browser"], event["os"], event["device"]) == ("Opera", "Mac", "Desktop")
    assert event["visitor_id"]
    assert event["properties"] == {}


def test_a_custom_event_keeps_its_props_as_text_as_plausible_does(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {
        "name": "Signup",
        "url": "http://dummy.site/register",
        "domain": "dummy.site",
        "props": {"author": "John Doe", "logged_in": False, "post_count": 12},
    }

    event = recorded_once(shared_platform, body)

    assert (event["event_type"], event["path"]) == ("Signup", "/register")
    assert event["properties"] == {"author": "John Doe", "logged_in": "false", "post_count": "12"}


def test_props_sent_as_json_text_are_read_as_the_object(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {
        "name": "Signup",
        "url": "http://dummy.site/register",
        "domain": "dummy.site",
        "props": '{"plan": "pro"}',
    }

    event = recorded_once(shared_platform, body)

    assert event["properties"] == {"plan": "pro"}


def test_revenue_is_kept_as_the_exact_decimal_sent_with_its_currency(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {
        "name": "Purchase",
        "url": "http://dummy.site/checkout",
        "domain": "dummy.site",
        "revenue": {"currency": "USD", "amount": 1322.22},
    }

    event = recorded_once(shared_platform, body)

    assert event["event_type"] == "Purchase"
    # A decimal string, never a float: revenue sums are exact.
    assert event["metadata"]["revenue"] == {"amount": "1322.22", "currency": "USD"}


def test_a_non_interactive_event_is_marked_so(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {
        "name": "Download",
        "url": "http://dummy.site/",
        "domain": "dummy.site",
        "interactive": False,
    }

    event = recorded_once(shared_platform, body)

    assert event["metadata"]["interactive"] is False


def test_the_short_keys_plausibles_script_sends_as_text_plain(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {
        "n": "pageview",
        "u": "http://dummy.site/blog/post?utm_source=newsletter&utm_medium=email",
        "d": "dummy.site",
        "r": "https://www.google.com/",
        "p": {"author": "Jane"},
        "v": 36,
    }

    event = recorded_once(shared_platform, body, content_type="text/plain")

    assert (event["event_type"], event["path"]) == ("page_view", "/blog/post")
    assert event["referrer"] == "https://www.google.com/"
    assert (event["utm_source"], event["utm_medium"]) == ("newsletter", "email")
    assert event["channel"] == "Email"
    assert event["properties"] == {"author": "Jane"}


def test_the_hash_is_kept_only_in_hash_mode(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    routed = {"n": "pageview", "u": "http://dummy.site/#/pricing", "d": "dummy.site", "h": 1}
    plain = {"n": "pageview", "u": "http://dummy.site/#section", "d": "dummy.site"}

    assert recorded_once(shared_platform, routed)["url"] == "http://dummy.site/#/pricing"
    assert recorded_once(shared_platform, plain)["url"] == "http://dummy.site/"


def test_an_engagement_event_keeps_scroll_depth_and_engaged_time(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {
        "n": "engagement",
        "u": "http://dummy.site/blog/post",
        "d": "dummy.site",
        "sd": 73,
        "e": 5400,
        "v": 36,
    }

    event = recorded_once(shared_platform, body, content_type="text/plain")

    assert (event["event_type"], event["path"]) == ("engagement", "/blog/post")
    assert event["properties"] == {"scroll_depth": 73, "engaged_ms": 5400}


def test_one_visitor_is_one_id_across_requests(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {"name": "pageview", "url": "http://dummy.site/a", "domain": "dummy.site"}

    first = recorded_once(shared_platform, body, forwarded_for="203.0.113.9")
    again = recorded_once(shared_platform, body, forwarded_for="203.0.113.9")
    elsewhere = recorded_once(shared_platform, body, forwarded_for="203.0.113.10")

    assert first["visitor_id"] == again["visitor_id"] != elsewhere["visitor_id"]


def test_www_is_stripped_from_the_domain_and_several_domains_record_one_event_each(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    before = event_ids(shared_platform)
    body = {"name": "pageview", "url": "http://dummy.site/", "domain": "www.dummy.site,other.site"}

    response = send(shared_platform, body)

    assert (response.status_code, response.text) == (202, "ok")
    fresh = new_events(shared_platform, before, lambda found: len(found) >= 2)
    assert sorted(e["container_id"] for e in fresh) == sorted(sites.values())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://dummy.site/", "domain": "dummy.site"}, "name"),
        ({"name": "pageview", "domain": "dummy.site"}, "url"),
        ({"name": "pageview", "url": "http://dummy.site/"}, "domain"),
        (
            {"name": "Signup", "url": "http://dummy.site/", "domain": "dummy.site", "props": [1]},
            "props",
        ),
        (
            {
                "name": "Purchase",
                "url": "http://dummy.site/",
                "domain": "dummy.site",
                "revenue": {"currency": "dollars", "amount": 10},
            },
            "revenue",
        ),
        ({"name": "pageview", "url": "not a url", "domain": "dummy.site"}, "url"),
    ],
    ids=["no name", "no url", "no domain", "props a list", "revenue currency", "url relative"],
)
def test_a_malformed_body_is_answered_400_naming_the_field(
    shared_platform: RunningPlatform, sites: dict[str, str], body: Event, field: str
) -> None:
    response = send(shared_platform, body)

    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert [d["field"] for d in error["details"]] == [field]
    assert field in error["message"]


def test_a_body_that_is_not_json_is_answered_400(shared_platform: RunningPlatform) -> None:
    response = send(shared_platform, '{"name": "pageview",', content_type="text/plain")

    assert response.status_code == 400, response.text
    assert "not valid JSON" in response.json()["error"]["message"]


def test_a_form_encoded_body_is_answered_415(shared_platform: RunningPlatform) -> None:
    response = send(
        shared_platform,
        "name=pageview&url=http%3A%2F%2Fdummy.site&domain=dummy.site",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 415, response.text
    assert "application/json" in response.json()["error"]["message"]


def test_a_crawler_is_answered_202_and_counted_not_recorded(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    site = sites["dummy.site"]
    bots_before = bots_today(shared_platform, site)
    before = event_ids(shared_platform)
    body = {"name": "pageview", "url": "http://dummy.site/crawled", "domain": "dummy.site"}

    response = send(shared_platform, body, user_agent=GOOGLEBOT)

    assert (response.status_code, response.text) == (202, "ok")
    deadline = time.monotonic() + 30
    while bots_today(shared_platform, site) == bots_before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert bots_today(shared_platform, site) == bots_before + 1
    assert new_events(shared_platform, before, timeout=0) == []


def test_an_unknown_domain_is_answered_404_naming_it_and_kept_as_rejected(
    shared_platform: RunningPlatform, sites: dict[str, str]
) -> None:
    body = {"name": "pageview", "url": "http://nowhere.example/", "domain": "nowhere.example"}

    response = send(shared_platform, body)

    assert response.status_code == 404, response.text
    error = response.json()["error"]
    assert "'nowhere.example' does not exist" in error["message"]
    event_id = error["event_id"]
    deadline = time.monotonic() + 30
    kept: list[Event] = []
    while not kept and time.monotonic() < deadline:
        rejected = shared_platform.client.get(
            "/api/events/rejected",
            params={"reason": "unknown_adaptor", "limit": 200},
            headers=shared_platform.auth(),
        )
        assert rejected.status_code == 200, rejected.text
        kept = [e for e in rejected.json() if e["event_id"] == event_id]
        time.sleep(0.1)
    [event] = kept
    assert (event["container_id"], event["event_type"]) == ("nowhere.example", "page_view")


def bots_today(platform: RunningPlatform, site: str) -> int:
    response = platform.client.get(
        "/api/collection/bots", params={"days": 1, "adaptor_id": site}, headers=platform.auth()
    )
    assert response.status_code == 200, response.text
    return sum(row["events"] for row in response.json())
