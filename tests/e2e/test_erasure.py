"""Erasure, subject access and the opt-out list through the running platform, in both
event-store modes: given a shop whose sign-ups carry a personal e-mail address, when an admin
exports and then erases a subject, then the export holds their events decrypted, and
afterwards nothing readable is left of them anywhere while every count stays."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Any

import orjson
import psycopg

from tests.e2e.platform import RunningPlatform
from tests.privacy_scan import kafka_messages_holding, places_holding

ALICE, ALICE_MAIL = "alice-e2e-5b1", "alice-e2e-5b1@example.com"
BOB = "bob-e2e-77c"
SHOP = {
    "name": "shop",
    "description": "A shop",
    "properties": {
        "signup": {
            "type": "object",
            "properties": {"email": {"type": "string", "x-personal": True}, "plan": {}},
        },
        "checkout": {},
    },
}


def ingest(platform: RunningPlatform, user: str, event_type: str, **props: Any) -> Any:
    return platform.client.post(
        "/api/events/ingest",
        json={
            "schema_id": "shop",
            "event_type": event_type,
            "user_id": user,
            "session_id": f"session-{len(props)}-{event_type}",
            "properties": props,
        },
    )


def database_url(platform: RunningPlatform) -> str:
    return platform.env["EVENTLENS_DATABASE_URL"]


def counts(platform: RunningPlatform) -> list[Any]:
    with psycopg.connect(database_url(platform)) as conn:
        return [
            conn.execute(query).fetchall()
            for query in (
                "SELECT * FROM stats_daily ORDER BY 1, 2, 3, 4",
                "SELECT * FROM stats_daily_uniques ORDER BY 1, 2, 3",
                "SELECT count(*), count(DISTINCT user_id) FROM event_logs",
            )
        ]


def wait_until(check: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.1)


def test_an_admin_exports_then_erases_a_subject_and_nothing_readable_is_left(
    platform: RunningPlatform,
) -> None:
    assert platform.admin_post("/api/schemas/", SHOP).status_code == 201
    for user, event_type, props in (
        (ALICE, "signup", {"email": ALICE_MAIL, "plan": "pro"}),
        (ALICE, "checkout", {}),
        (BOB, "signup", {"email": "bob@example.com", "plan": "free"}),
    ):
        assert ingest(platform, user, event_type, **props).status_code == 202
    recent = platform.wait_for_recent(3)
    assert sorted(e["user_id"] for e in recent) == [ALICE, ALICE, BOB]
    assert all("email" not in e["properties"] for e in recent)  # sealed, never shown

    exported = platform.client.get(f"/api/privacy/subjects/{ALICE}/export", headers=platform.auth())
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    lines = [orjson.loads(line) for line in exported.content.splitlines()]
    assert sorted((e["event_type"], e["user_id"]) for e in lines) == [
        ("checkout", ALICE),
        ("signup", ALICE),
    ]
    assert [e["properties"] for e in lines if e["event_type"] == "signup"] == [
        {"email": ALICE_MAIL, "plan": "pro"}
    ]
    before = counts(platform)

    erased = platform.client.delete(f"/api/privacy/subjects/{ALICE}", headers=platform.auth())

    assert erased.status_code == 200, erased.text
    subject = erased.json()["subject"]
    wait_until(lambda: {e["user_id"] for e in platform.recent()} == {BOB, subject})
    assert places_holding(database_url(platform), ALICE, ALICE_MAIL) == []
    bootstrap = platform.env.get("EVENTLENS_KAFKA_BOOTSTRAP")
    if bootstrap:
        prefix = platform.env["EVENTLENS_KAFKA_TOPIC_PREFIX"]
        assert kafka_messages_holding(bootstrap, prefix, ALICE, ALICE_MAIL) == []
    assert counts(platform) == before

    def erasures() -> list[Any]:
        page = platform.client.get("/api/audit-log", headers=platform.auth()).json()
        return [e for e in page["entries"] if e["action"] == "Erasure.Recorded"]

    wait_until(lambda: erasures() != [])
    [audited] = erasures()
    assert audited["actor"] == "admin"  # who asked; whom is not in the audit log
    assert ALICE not in orjson.dumps(audited).decode() and subject not in str(audited)
    again = platform.client.delete(f"/api/privacy/subjects/{ALICE}", headers=platform.auth())
    assert again.status_code == 404
    assert "no personal data is held" in again.json()["detail"]
    gone = platform.client.get(f"/api/privacy/subjects/{ALICE}/export", headers=platform.auth())
    assert gone.status_code == 404


def test_only_admins_erase_or_export_and_an_unknown_subject_is_a_clear_404(
    platform: RunningPlatform,
) -> None:
    assert platform.admin_post("/api/schemas/", SHOP).status_code == 201
    assert ingest(platform, BOB, "checkout").status_code == 202
    platform.wait_for_recent(1)
    viewer = {"username": "viewer1", "password": "viewer-password-1", "role": "viewer"}
    assert platform.admin_post("/api/users/", viewer).status_code == 201
    as_viewer = {"Authorization": f"Bearer {platform.login('viewer1', 'viewer-password-1')}"}
    before = counts(platform)

    for method, path in (
        ("DELETE", f"/api/privacy/subjects/{BOB}"),
        ("GET", f"/api/privacy/subjects/{BOB}/export"),
        ("PUT", f"/api/privacy/opt-outs/{BOB}"),
    ):
        assert platform.client.request(method, path).status_code == 401
        assert platform.client.request(method, path, headers=as_viewer).status_code == 403
    unknown = platform.client.delete("/api/privacy/subjects/nobody", headers=platform.auth())
    too_long = platform.client.delete(f"/api/privacy/subjects/{'x' * 201}", headers=platform.auth())

    assert unknown.status_code == 404
    assert "no personal data is held" in unknown.json()["detail"]
    assert too_long.status_code == 422
    assert counts(platform) == before
    assert [e["user_id"] for e in platform.recent()] == [BOB]


def test_an_opted_out_user_ids_events_are_refused_until_taken_off_the_list(
    platform: RunningPlatform,
) -> None:
    assert platform.admin_post("/api/schemas/", SHOP).status_code == 201
    listed = platform.client.put(f"/api/privacy/opt-outs/{ALICE}", headers=platform.auth())
    assert listed.status_code == 200 and listed.json() == {"opted_out": True}

    refused = ingest(platform, ALICE, "signup", email=ALICE_MAIL, plan="pro")

    assert refused.status_code == 422
    assert "opt-out" in refused.text
    wait_until(
        lambda: platform.client.get("/api/events/rejected", headers=platform.auth()).json() != []
    )
    [rejected] = platform.client.get("/api/events/rejected", headers=platform.auth()).json()
    assert [r["code"] for r in rejected["reasons"]] == ["opted_out"]
    assert places_holding(database_url(platform), ALICE, ALICE_MAIL) == []

    taken_off = platform.client.delete(f"/api/privacy/opt-outs/{ALICE}", headers=platform.auth())
    assert taken_off.json() == {"opted_out": False}
    assert ingest(platform, ALICE, "checkout").status_code == 202
    wait_until(lambda: [e["user_id"] for e in platform.recent()] == [ALICE])


def test_an_operator_forgets_a_subject_from_the_command_line(platform: RunningPlatform) -> None:
    assert platform.admin_post("/api/schemas/", SHOP).status_code == 201
    assert ingest(platform, ALICE, "signup", email=ALICE_MAIL, plan="pro").status_code == 202
    assert ingest(platform, BOB, "checkout").status_code == 202
    platform.wait_for_recent(2)

    def forget(user: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "eventlens.cli", "forget", "--user", user, "--by", "dpo"],
            env={**platform.env, "EVENTLENS_LOG_LEVEL": "ERROR"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    done = forget(ALICE)

    assert done.returncode == 0, done.stderr
    assert "erased" in done.stdout
    wait_until(lambda: ALICE not in {e["user_id"] for e in platform.recent()})
    assert places_holding(database_url(platform), ALICE, ALICE_MAIL) == []
    again = forget(ALICE)
    assert again.returncode != 0
    assert "no personal data is held" in again.stderr
