"""A site's retention period through REST: admins set it, it is audited, bad input is refused
with the field named."""

from __future__ import annotations

import time

import pytest

from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]


def test_admins_set_a_sites_period_and_the_change_is_audited(
    shared_platform: RunningPlatform,
) -> None:
    p = shared_platform
    schema = {"name": "retained", "properties": {"a": {}}}
    assert p.admin_post("/api/schemas/", schema).status_code == 201
    made = p.admin_post("/api/adaptors/", {"name": "Retained", "schema_id": "retained"})
    container_id = made.json()["container_id"]
    path = f"/api/adaptors/{container_id}/retention"

    # given a site that keeps its events forever
    assert p.client.get(path, headers=p.auth()).json()["days"] is None

    # when an admin gives it 30 days
    answer = p.client.put(path, json={"days": 30}, headers=p.auth())

    # then it keeps 30 days, and the audit log says who set it
    assert answer.status_code == 200, answer.text
    assert p.client.get(path, headers=p.auth()).json()["days"] == 30
    deadline = time.monotonic() + 30
    while True:
        entries = p.client.get(
            "/api/audit-log", params={"subject": container_id}, headers=p.auth()
        ).json()["entries"]
        if any(e["action"] == "Retention.Set" for e in entries) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert [(e["actor"], e["details"]) for e in entries if e["action"] == "Retention.Set"] == [
        ("admin", {"container_id": container_id, "days": 30})
    ]


def test_bad_periods_unknown_sites_and_viewers_are_refused(
    shared_platform: RunningPlatform,
) -> None:
    p = shared_platform
    schema = {"name": "refused_retention", "properties": {"a": {}}}
    assert p.admin_post("/api/schemas/", schema).status_code == 201
    made = p.admin_post("/api/adaptors/", {"name": "R", "schema_id": "refused_retention"})
    path = f"/api/adaptors/{made.json()['container_id']}/retention"

    for days in (0, 3651, -5, "thirty", 2.5):
        answer = p.client.put(path, json={"days": days}, headers=p.auth())
        assert answer.status_code == 422, (days, answer.text)
        assert "days" in answer.text
    assert p.client.put(path, json={}, headers=p.auth()).status_code == 422
    unknown = p.client.put(
        "/api/adaptors/CAP-ZZZZZZ/retention", json={"days": 30}, headers=p.auth()
    )
    assert unknown.status_code == 404
    viewer = {"username": "rita", "password": "ritas-password-1", "role": "viewer"}
    assert p.admin_post("/api/users/", viewer).status_code == 201
    as_viewer = {"Authorization": f"Bearer {p.login('rita', viewer['password'])}"}
    assert p.client.put(path, json={"days": 30}, headers=as_viewer).status_code == 403
    assert p.client.get(path, headers=as_viewer).status_code == 200


def _graphql(p: RunningPlatform, query: str, token: str, **variables: object) -> dict[str, object]:
    answer = p.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


READ = "query($id: String!) { adaptor(containerId: $id) { retention { days expiredBefore } } }"
SET = "mutation($id: String!, $days: Int!) { setRetention(containerId: $id, days: $days) { days } }"
CLEAR = "mutation($id: String!) { clearRetention(containerId: $id) { containerId days } }"


def test_graphql_reads_a_sites_period_on_its_adaptor_and_admins_set_and_clear_it(
    shared_platform: RunningPlatform,
) -> None:
    p = shared_platform
    schema = {"name": "retained_graphql", "properties": {"a": {}}}
    assert p.admin_post("/api/schemas/", schema).status_code == 201
    made = p.admin_post("/api/adaptors/", {"name": "G", "schema_id": "retained_graphql"})
    site = made.json()["container_id"]
    admin = p.login()
    viewer = {"username": "gina", "password": "ginas-password-1", "role": "viewer"}
    assert p.admin_post("/api/users/", viewer).status_code == 201
    as_viewer = p.login("gina", viewer["password"])

    # given a site that keeps its events forever
    before = _graphql(p, READ, as_viewer, id=site)
    assert before == {"data": {"adaptor": {"retention": {"days": None, "expiredBefore": None}}}}

    # when an admin sets 90 days through GraphQL
    assert _graphql(p, SET, admin, id=site, days=90) == {"data": {"setRetention": {"days": 90}}}

    # then GraphQL and REST both read 90 days
    assert _graphql(p, READ, as_viewer, id=site)["data"] == {
        "adaptor": {"retention": {"days": 90, "expiredBefore": None}}
    }
    rest = p.client.get(f"/api/adaptors/{site}/retention", headers=p.auth())
    assert rest.json()["days"] == 90

    # and a viewer may neither set nor clear it, nor may a period out of range be set
    for query, extra in ((SET, {"days": 30}), (CLEAR, {})):
        refused = _graphql(p, query, as_viewer, id=site, **extra)
        assert refused["errors"][0]["extensions"]["status"] == 403, refused  # type: ignore[index]
    for days in (0, 3651):
        refused = _graphql(p, SET, admin, id=site, days=days)
        error = refused["errors"][0]  # type: ignore[index]
        assert error["extensions"] == {"status": 422, "code": "invalid", "field": "days"}
        assert "1 to 3650" in error["message"]
    unknown = _graphql(p, CLEAR, admin, id="CAP-ZZZZZZ")
    assert unknown["errors"][0]["extensions"]["status"] == 404  # type: ignore[index]
    assert _graphql(p, READ, admin, id=site)["data"] == {
        "adaptor": {"retention": {"days": 90, "expiredBefore": None}}
    }

    # when an admin clears it, the site keeps its events forever again
    cleared = _graphql(p, CLEAR, admin, id=site)
    assert cleared == {"data": {"clearRetention": {"containerId": site, "days": None}}}
    assert p.client.get(f"/api/adaptors/{site}/retention", headers=p.auth()).json()["days"] is None
