"""One user's load cannot take the read side from the others: a viewer who opens 200
subscriptions over 20 WebSockets and sends 10 costly requests at once gets their share (the
excess refused, naming the limit) while an admin's stats are all answered; subscriptions with
the same filter share one query a push, and a heartbeat queries nothing."""

from __future__ import annotations

import contextlib
import json
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import websockets.sync.client as ws_client
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from tests.e2e.platform import RunningPlatform, running_on, snippet_body

pytestmark = [pytest.mark.postgres]

VIEWER_PASSWORD = "viewer-password-1"
SOCKETS, SUBSCRIPTIONS_EACH = 20, 10
SOCKET_CAP, SUBSCRIPTION_CAP = 10, 50
TITLES = [f"T{n}" for n in range(5)]  # the subscriptions' distinct filters
NEW_EVENTS = "subscription($f: EventFilterInput) { newEvents(filter: $f) { eventId properties } }"
COSTLY = """query($props: JSON) { events(limit: 900, filter: {properties: $props}) {
  items { eventId properties } } }"""
STATS_FLUSH_S = 11  # PostgreSQL publishes an idle backend's table statistics within 10 s


@pytest.fixture
def platform(tmp_path: Path, postgres_server: str) -> Iterator[RunningPlatform]:
    with running_on(
        postgres_server,
        tmp_path / "data",
        EVENTLENS_API_PROCESSES="1",  # the limits are per API process
        EVENTLENS_INGEST_RATE_LIMIT="0",
    ) as running:
        yield running


def viewer_token(platform: RunningPlatform) -> str:
    body = {"username": "val", "password": VIEWER_PASSWORD, "role": "viewer"}
    assert platform.admin_post("/api/users/", body).status_code == 201
    return platform.login("val", VIEWER_PASSWORD)


def open_socket(platform: RunningPlatform, token: str) -> tuple[ClientConnection, str]:
    """A graphql-transport-ws connection: acknowledged (`ack`) or closed (its code, reason)."""
    url = f"ws://127.0.0.1:{platform.port}/graphql"
    ws = ws_client.connect(url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
    ws.send(
        json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}})
    )
    try:
        reply = json.loads(ws.recv(10))
    except ConnectionClosed as closed:
        return ws, str(closed)
    return ws, "ack" if reply["type"] == "connection_ack" else str(reply)


def subscribe(ws: ClientConnection, op_id: str, title: str) -> None:
    payload = {"query": NEW_EVENTS, "variables": {"f": {"properties": {"page_title": title}}}}
    ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))


def messages(sockets: list[ClientConnection], seconds: float) -> list[dict[str, Any]]:
    """What the sockets receive in the next `seconds`."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for ws in sockets:
            with contextlib.suppress(TimeoutError):
                found.append(json.loads(ws.recv(0.02)))
    return found


def refused_subscriptions(found: list[dict[str, Any]]) -> int:
    return sum(
        1
        for m in found
        if m["type"] in ("next", "error")
        and "EVENTLENS_MAX_SUBSCRIPTIONS_PER_USER" in json.dumps(m["payload"])
    )


def event_log_reads(platform: RunningPlatform) -> int:
    """Scans of the master log's partitions (one per schema) so far."""
    with psycopg.connect(platform.env["EVENTLENS_DATABASE_URL"], autocommit=True) as conn:
        row = conn.execute(
            "SELECT coalesce(sum(coalesce(seq_scan, 0) + coalesce(idx_scan, 0)), 0) "
            "FROM pg_stat_user_tables WHERE relid IN "
            "(SELECT inhrelid FROM pg_inherits WHERE inhparent = 'event_logs'::regclass)"
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_viewers_flood_is_capped_and_the_admins_stats_are_all_answered(
    platform: RunningPlatform,
) -> None:
    container_id = platform.setup_seed_site()
    admin = platform.auth()
    viewer = viewer_token(platform)

    opened = [open_socket(platform, viewer) for _ in range(SOCKETS)]
    sockets = [ws for ws, state in opened if state == "ack"]
    refusals = [state for _, state in opened if state != "ack"]
    try:
        assert len(sockets) == SOCKET_CAP
        assert len(refusals) == SOCKETS - SOCKET_CAP
        assert all("4429" in r and "EVENTLENS_MAX_SOCKETS_PER_USER" in r for r in refusals)

        for s, ws in enumerate(sockets):
            for n in range(SUBSCRIPTIONS_EACH * SOCKETS // SOCKET_CAP):
                subscribe(ws, f"{s}-{n}", TITLES[n % len(TITLES)])
        found = messages(sockets, 3)
        assert refused_subscriptions(found) == 200 - SUBSCRIPTION_CAP

        stats_times: list[float] = []
        stats_codes: list[int] = []
        costly_answers: list[httpx.Response] = []

        def admin_reads_stats() -> None:
            with httpx.Client(base_url=platform.client.base_url, headers=admin) as client:
                for _ in range(60):
                    started = time.perf_counter()
                    answer = client.get("/api/events/stats", params={"days": 1})
                    stats_times.append(time.perf_counter() - started)
                    stats_codes.append(answer.status_code)

        def viewer_reads_costly(title: str) -> None:
            with httpx.Client(base_url=platform.client.base_url, timeout=60) as client:
                costly_answers.append(
                    client.post(
                        "/graphql",
                        json={"query": COSTLY, "variables": {"props": {"page_title": title}}},
                        headers={"Authorization": f"Bearer {viewer}"},
                    )
                )

        def traffic() -> None:
            for n in range(20):
                body = snippet_body(container_id)
                body["properties"]["page_title"] = TITLES[n % len(TITLES)]
                platform.client.post("/api/events/ingest", json=body)
                time.sleep(0.1)

        load = [threading.Thread(target=viewer_reads_costly, args=(t,)) for t in TITLES * 2]
        load.append(threading.Thread(target=traffic))
        admin_thread = threading.Thread(target=admin_reads_stats)
        for thread in [*load, admin_thread]:
            thread.start()
        pushed = messages(sockets, 4)
        for thread in [*load, admin_thread]:
            thread.join(120)
    finally:
        for ws, _ in opened:
            ws.close()

    assert stats_codes == [200] * 60
    assert len(costly_answers) == 10
    for answer in costly_answers:
        assert answer.status_code in (200, 429), answer.text
        errors = answer.json().get("errors") or []
        assert all(e["extensions"]["code"] == "too_many_requests" for e in errors), errors
    # The subscriptions that were accepted push the events their filter matches, and only those.
    events = [m for m in pushed if m["type"] == "next" and m["payload"].get("data")]
    assert events
    for message in events:
        subscribed_title = TITLES[int(message["id"].split("-")[1]) % len(TITLES)]
        assert message["payload"]["data"]["newEvents"]["properties"]["page_title"] == (
            subscribed_title
        )
    p95 = statistics.quantiles(stats_times, n=20)[-1]
    refused = sum(a.status_code == 429 for a in costly_answers)
    print(f"admin stats under the viewer's load: p95 {p95 * 1000:.1f} ms; {refused} of 10 refused")


def test_subscriptions_with_one_filter_share_a_query_a_push_and_heartbeats_query_nothing(
    platform: RunningPlatform,
) -> None:
    container_id = platform.setup_seed_site()
    viewer = viewer_token(platform)
    opened = [open_socket(platform, viewer) for _ in range(5)]
    sockets = [ws for ws, state in opened if state == "ack"]
    try:
        assert len(sockets) == 5
        for s, ws in enumerate(sockets):
            for n in range(SUBSCRIPTION_CAP // 5):
                subscribe(ws, f"{s}-{n}", TITLES[n % len(TITLES)])
        assert refused_subscriptions(messages(sockets, 1)) == 0
        time.sleep(STATS_FLUSH_S)
        before_heartbeat = event_log_reads(platform)
        time.sleep(16 + STATS_FLUSH_S)  # past a heartbeat (15 s), and its reads published
        after_heartbeat = event_log_reads(platform)

        body = snippet_body(container_id)
        body["properties"]["page_title"] = TITLES[0]
        assert platform.client.post("/api/events/ingest", json=body).status_code == 202
        pushed = messages(sockets, 3)
        time.sleep(STATS_FLUSH_S)
        after_push = event_log_reads(platform)
    finally:
        for ws, _ in opened:
            ws.close()

    assert after_heartbeat == before_heartbeat
    delivered = [m for m in pushed if m["type"] == "next"]
    assert len(delivered) == SUBSCRIPTION_CAP // len(TITLES)  # each subscriber to T0, once
    # Each change of the read models (a few, one per projection) asks each of the 5 distinct
    # filters once: far fewer reads than the 50 subscriptions would make on their own.
    assert 0 < after_push - after_heartbeat < SUBSCRIPTION_CAP
