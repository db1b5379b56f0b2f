"""The audit log on a running platform, in both event-store modes: every admin command and
every sign-in, refused or not, and every sign-out, with who and when; admins read it through
REST and GraphQL; nobody writes it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]

QUERY = """query($filter: AuditFilterInput, $limit: Int!, $offset: Int!) {
  auditLog(filter: $filter, limit: $limit, offset: $offset) {
    total entries { actor action subject subjectType recordedAt details }
  }
}"""


def audit(p: RunningPlatform, headers: dict[str, str], **params: Any) -> Any:
    return p.client.get("/api/audit-log", params=params, headers=headers)


def wait_for_entries(p: RunningPlatform, count: int, timeout: float = 60) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        page = audit(p, p.auth(), limit=500).json()
        if page["total"] >= count or time.monotonic() > deadline:
            return list(reversed(page["entries"]))
        time.sleep(0.2)


def test_admin_commands_and_sign_ins_show_with_who_and_when(platform: RunningPlatform) -> None:
    p = platform
    # given an admin who sets up a site and a viewer, who signs in once wrongly, once rightly,
    # and signs out
    container_id = p.setup_seed_site()
    viewer = {"username": "vera", "password": "veras-password-1", "role": "viewer"}
    assert p.admin_post("/api/users/", viewer).status_code == 201
    wrong = {"username": "vera", "password": "not her password"}
    assert p.client.post("/api/auth/login", json=wrong).status_code == 401
    signed_in = p.client.post("/api/auth/login", json={**viewer}).json()
    refresh = {"refresh_token": signed_in["refresh_token"]}
    assert p.client.post("/api/auth/logout", json=refresh).status_code == 204

    # when the admin reads the audit log
    entries = wait_for_entries(p, 8)

    # then every change is there, in order, with who made it
    assert [(e["actor"], e["action"], e["subject"]) for e in entries] == [
        ("system", "User.Created", "admin"),
        ("admin", "Session.SignedIn", "admin"),
        ("admin", "Schema.Registered", "portfolio_events"),
        ("admin", "Adaptor.Created", container_id),
        ("admin", "User.Created", "vera"),
        ("anonymous", "Session.SignInFailed", "vera"),
        ("vera", "Session.SignedIn", "vera"),
        ("vera", "Session.SignedOut", "vera"),
    ]
    assert all(e["recorded_at"] for e in entries)
    assert "password" not in str(entries) and "veras-password" not in str(entries)

    # and filters and pages narrow it
    vera = {"actor": "vera", "limit": 1, "offset": 1}
    page = audit(p, p.auth(), **vera).json()
    assert page["total"] == 2
    assert [e["action"] for e in page["entries"]] == ["Session.SignedIn"]
    sessions = audit(p, p.auth(), action="Session.").json()
    assert sessions["total"] == 4

    # and GraphQL answers the same to the admin
    variables = {"filter": {"subjectType": "Adaptor"}, "limit": 10, "offset": 0}
    answer = p.client.post(
        "/graphql", json={"query": QUERY, "variables": variables}, headers=p.auth()
    ).json()
    assert answer["data"]["auditLog"]["total"] == 1
    assert answer["data"]["auditLog"]["entries"][0]["subject"] == container_id


def test_only_admins_read_it_nobody_writes_it_and_bad_pages_are_refused(
    shared_platform: RunningPlatform,
) -> None:
    p = shared_platform
    viewer = {"username": "val", "password": "vals-password-12", "role": "viewer"}
    assert p.admin_post("/api/users/", viewer).status_code == 201
    as_viewer = {"Authorization": f"Bearer {p.login('val', viewer['password'])}"}

    assert audit(p, as_viewer).status_code == 403
    assert audit(p, {}).status_code == 401
    graphql = p.client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"limit": 5, "offset": 0}},
        headers=as_viewer,
    ).json()
    assert graphql["errors"][0]["extensions"]["status"] == 403

    for method in ("POST", "PUT", "PATCH", "DELETE"):
        assert p.client.request(method, "/api/audit-log", headers=p.auth()).status_code == 405

    too_many = audit(p, p.auth(), limit=501)
    assert too_many.status_code == 422 and "limit" in too_many.text
    assert audit(p, p.auth(), offset=-1).status_code == 422
    bad = p.client.post(
        "/graphql",
        json={"query": QUERY, "variables": {"limit": 0, "offset": 0}},
        headers=p.auth(),
    ).json()
    assert "limit must be between 1 and 500" in bad["errors"][0]["message"]
