"""Web analytics collected at ingest, against a real `eventlens up`: the tracker's body and
Plausible's Events API in; visitor, page, source, software and place out in `event_logs`;
bots counted, not recorded; the client's address nowhere."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]

CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
HEADLESS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/131.0.0.0 Safari/537.36"
)
LONDON = "81.2.69.142"  # in DB-IP Lite: GB, England, London
SITE = "https://shop.example"


@pytest.fixture(scope="module")
def site(shared_platform: RunningPlatform) -> str:
    response = shared_platform.admin_post(
        "/api/schemas/",
        {"name": "shop", "description": "A shop", "properties": {"signup": {}}},
    )
    assert response.status_code == 201, response.text
    adaptor = shared_platform.admin_post(
        "/api/adaptors/", {"name": "Shop", "schema_id": "shop", "website_url": SITE}
    )
    assert adaptor.status_code == 201, adaptor.text
    container_id: str = adaptor.json()["container_id"]
    return container_id


def tracker_event(
    container_id: str, event_type: str = "page_view", **fields: Any
) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "container_id": container_id,
        "event_type": event_type,
        "url": f"{SITE}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=winter",
        "referrer": None,
        "screen_width": 1440,
        "properties": {},
        **fields,
    }


def post(
    platform: RunningPlatform,
    path: str,
    body: Any,
    user_agent: str | None = CHROME_MAC,
    address: str = LONDON,
) -> httpx.Response:
    headers = {"Content-Type": "text/plain", "Origin": SITE, "X-Forwarded-For": address}
    request = platform.client.build_request("POST", path, json=body, headers=headers)
    if user_agent is None:
        del request.headers["User-Agent"]
    else:
        request.headers["User-Agent"] = user_agent
    return platform.client.send(request)


def wait_for(platform: RunningPlatform, event_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for event in platform.recent(limit=200):
            if event["event_id"] == event_id:
                return event
        time.sleep(0.1)
    raise AssertionError(f"event {event_id} was not recorded")


def test_a_tracker_event_is_recorded_with_visitor_page_campaign_software_and_place(
    shared_platform: RunningPlatform, site: str
) -> None:
    event = tracker_event(site)

    response = post(shared_platform, "/api/events/batch", {"events": [event]})

    assert response.status_code == 202, response.text
    recorded = wait_for(shared_platform, event["event_id"])
    assert recorded["schema_id"] == "shop"  # from the adaptor: the tracker names no schema
    assert len(recorded["visitor_id"]) == 16
    assert (recorded["hostname"], recorded["path"]) == ("shop.example", "/pricing")
    assert (recorded["utm_source"], recorded["utm_medium"], recorded["utm_campaign"]) == (
        "newsletter",
        "email",
        "winter",
    )
    assert recorded["channel"] == "Email"
    assert (recorded["browser"], recorded["os"], recorded["device"]) == (
        "Chrome",
        "Mac",
        "Desktop",
    )
    assert recorded["screen_width"] == 1440
    status = shared_platform.client.get(
        "/api/collection/status", headers=shared_platform.auth()
    ).json()
    if status["geo"]["enabled"]:
        assert (recorded["country"], recorded["city"]) == ("GB", "London")
    else:
        assert not os.environ.get("CI"), "CI fetches the geo database: " + str(status)
        assert recorded["country"] is None


def test_a_search_referrer_is_organic_search_and_no_referrer_is_direct(
    shared_platform: RunningPlatform, site: str
) -> None:
    searched = tracker_event(site, url=f"{SITE}/", referrer="https://www.google.com/")
    direct = tracker_event(site, url=f"{SITE}/about")

    assert (
        post(shared_platform, "/api/events/batch", {"events": [searched, direct]}).status_code
        == 202
    )

    from_google = wait_for(shared_platform, searched["event_id"])
    typed = wait_for(shared_platform, direct["event_id"])
    assert (from_google["source"], from_google["channel"]) == ("Google", "Organic Search")
    assert (typed["source"], typed["channel"]) == ("Direct / None", "Direct")


def test_one_visitor_is_one_id_and_another_browser_is_another(
    shared_platform: RunningPlatform, site: str
) -> None:
    first, again = tracker_event(site), tracker_event(site)
    phone = tracker_event(site)

    post(shared_platform, "/api/events/batch", {"events": [first]})
    post(shared_platform, "/api/events/batch", {"events": [again]})
    post(shared_platform, "/api/events/batch", {"events": [phone]}, user_agent=SAFARI_IPHONE)

    ids = [wait_for(shared_platform, e["event_id"])["visitor_id"] for e in (first, again, phone)]
    assert ids[0] == ids[1] != ids[2]
    assert wait_for(shared_platform, phone["event_id"])["device"] == "Mobile"


def test_standard_types_need_no_declaration_but_custom_ones_do(
    shared_platform: RunningPlatform, site: str
) -> None:
    standard = [
        tracker_event(site, "outbound_click", properties={"url": "https://elsewhere.example/"}),
        tracker_event(site, "file_download", properties={"url": f"{SITE}/price-list.pdf"}),
        tracker_event(site, "engagement", properties={"engaged_ms": 5200, "scroll_depth": 80}),
        tracker_event(site, "signup", properties={"plan": "pro"}),
    ]
    undeclared = tracker_event(site, "teleport")

    response = post(shared_platform, "/api/events/batch", {"events": [*standard, undeclared]})

    assert response.status_code == 202, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * 4 + ["rejected"]
    assert results[4]["reasons"][0]["code"] == "unknown_event_type"


@pytest.mark.parametrize(
    ("user_agent", "automated"),
    [(GOOGLEBOT, False), (HEADLESS, False), (None, False), (CHROME_MAC, True)],
    ids=["crawler", "headless", "no user agent", "automated page"],
)
def test_bots_are_counted_per_site_and_day_not_recorded(
    shared_platform: RunningPlatform, site: str, user_agent: str | None, automated: bool
) -> None:
    before = bots_today(shared_platform, site)
    event = tracker_event(site, automated=True) if automated else tracker_event(site)

    response = post(shared_platform, "/api/events/batch", {"events": [event]}, user_agent)

    assert response.status_code == 422, response.text
    assert response.json()["results"][0]["reasons"][0]["code"] == "bot"
    deadline = time.monotonic() + 30
    while bots_today(shared_platform, site) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert bots_today(shared_platform, site) == before + 1
    assert all(e["event_id"] != event["event_id"] for e in shared_platform.recent(limit=500))


def contains(conn: psycopg.Connection, table: str, column: str, kind: str, text: str) -> bool:
    """Does any value of the column hold the text (bytes searched as bytes)?"""
    if kind == "bytea":
        query = f"SELECT EXISTS (SELECT 1 FROM {table} WHERE position(%s::bytea in {column}) > 0)"
    else:
        query = f"SELECT EXISTS (SELECT 1 FROM {table} WHERE {column}::text LIKE %s)"
        text = f"%{text}%"
    row = conn.execute(query, (text.encode() if kind == "bytea" else text,)).fetchone()
    return bool(row and row[0])


def bots_today(platform: RunningPlatform, site: str) -> int:
    response = platform.client.get(
        "/api/collection/bots", params={"days": 1, "adaptor_id": site}, headers=platform.auth()
    )
    assert response.status_code == 200, response.text
    return sum(row["events"] for row in response.json())


def test_the_clients_address_is_stored_nowhere(shared_platform: RunningPlatform, site: str) -> None:
    address = "198.51.100.77"
    event = tracker_event(site)
    assert (
        post(shared_platform, "/api/events/batch", {"events": [event]}, address=address).status_code
        == 202
    )
    bot = tracker_event(site)
    post(shared_platform, "/api/events/batch", {"events": [bot]}, GOOGLEBOT, address=address)
    wait_for(shared_platform, event["event_id"])

    database_url = shared_platform.env["EVENTLENS_DATABASE_URL"]
    with psycopg.connect(database_url) as conn:
        columns = conn.execute(
            "SELECT quote_ident(c.table_name), quote_ident(c.column_name), c.data_type "
            "FROM information_schema.columns c JOIN information_schema.tables t "
            "USING (table_schema, table_name) "
            "WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
        ).fetchall()
        # The search finds what is stored: the User-Agent is, in the log and the read models.
        assert any(contains(conn, *column, "Intel Mac OS X 10_15_7") for column in columns)
        holding = [
            f"{table}.{column}"
            for table, column, kind in columns
            if contains(conn, table, column, kind, address)
        ]
    assert holding == []
    assert address not in shared_platform.log.read_text()
