"""Reading stats without signing in: users' API keys and sites' shared links, over HTTP
against a real `eventlens up`; and each site's time zone."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]

VIEWER = ("vic", "vic-password-1")
STATS = "/api/events/stats"


@pytest.fixture(scope="module")
def site(shared_platform: RunningPlatform) -> Iterator[dict[str, str]]:
    p = shared_platform
    container_id = p.setup_seed_site()
    other = p.admin_post("/api/adaptors/", {"name": "Other", "schema_id": "portfolio_events"})
    user = {"username": VIEWER[0], "password": VIEWER[1], "role": "viewer"}
    assert p.admin_post("/api/users/", user).status_code == 201
    yield {
        "container_id": container_id,
        "other": other.json()["container_id"],
        "admin": p.login(),
        "viewer": p.login(*VIEWER),
    }


def call(
    p: RunningPlatform, method: str, path: str, token: str | None, body: Any = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return p.client.request(method, path, json=body, headers=headers)


def new_key(p: RunningPlatform, token: str, name: str = "Script") -> dict[str, Any]:
    response = call(p, "POST", "/api/users/me/api-keys", token, {"name": name})
    assert response.status_code == 201, response.text
    key: dict[str, Any] = response.json()
    return key


def new_link(p: RunningPlatform, container_id: str, **body: Any) -> dict[str, Any]:
    response = call(p, "POST", f"/api/adaptors/{container_id}/shared-links", p.login(), body)
    assert response.status_code == 201, response.text
    link: dict[str, Any] = response.json()
    return link


# API keys


def test_a_user_creates_lists_and_revokes_their_api_keys(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p, viewer = shared_platform, site["viewer"]
    created = new_key(p, viewer, "Weekly report")

    assert created["key"].startswith("el_") and len(created["key"]) == 46
    assert created["scope"] == "stats:read"
    listed = call(p, "GET", "/api/users/me/api-keys", viewer).json()
    assert listed == [{k: v for k, v in created.items() if k != "key"}]
    assert listed[0]["prefix"] == created["key"][:10]
    assert call(p, "GET", f"/api/users/{VIEWER[0]}/api-keys", site["admin"]).json() == listed

    revoked = call(p, "DELETE", f"/api/users/me/api-keys/{created['id']}", viewer)

    assert revoked.status_code == 200 and revoked.json()["id"] == created["id"]
    assert call(p, "GET", "/api/users/me/api-keys", viewer).json() == []


def test_admins_manage_anyones_keys_and_viewers_only_their_own(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    vics = new_key(p, site["viewer"])
    admins = new_key(p, site["admin"])

    assert call(p, "GET", "/api/users/admin/api-keys", site["viewer"]).status_code == 403
    path = f"/api/users/admin/api-keys/{admins['id']}"
    assert call(p, "DELETE", path, site["viewer"]).status_code == 403
    path = f"/api/users/{VIEWER[0]}/api-keys/{vics['id']}"
    assert call(p, "DELETE", path, site["admin"]).status_code == 200
    assert call(p, "DELETE", path, site["admin"]).status_code == 404
    assert call(p, "GET", "/api/users/nobody/api-keys", site["admin"]).status_code == 404


def test_an_api_key_reads_stats_and_nothing_else(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    key = new_key(p, site["admin"])["key"]

    stats = call(p, "GET", f"{STATS}?adaptor_id={site['other']}", key)
    assert stats.status_code == 200, stats.text
    assert call(p, "GET", "/api/collection/bots", key).status_code == 401
    for method, path, body in [
        ("POST", "/api/schemas/", {"name": "by_key", "properties": {"a": {}}}),
        ("GET", "/api/events/recent", None),
        ("GET", "/api/adaptors/", None),
        ("POST", "/api/users/me/api-keys", {}),
    ]:
        refused = call(p, method, path, key, body)
        assert refused.status_code == 401, (path, refused.text)
        assert "only reads stats" in refused.json()["error"]["message"]
    graphql = call(p, "POST", "/graphql", key, {"query": "{ schemas { name } }"}).json()
    assert graphql["errors"][0]["extensions"]["status"] == 401


def test_a_revoked_key_stops_at_once(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    created = new_key(p, site["viewer"])
    assert call(p, "GET", STATS, created["key"]).status_code == 200

    call(p, "DELETE", f"/api/users/me/api-keys/{created['id']}", site["viewer"])

    refused = call(p, "GET", STATS, created["key"])
    assert refused.status_code == 401
    assert "revoked" in refused.json()["error"]["message"]


def test_guessing_api_keys_is_throttled_and_valid_keys_still_work(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    valid = new_key(p, site["viewer"])["key"]
    answers = [call(p, "GET", STATS, f"el_guess{n}").status_code for n in range(7)]

    assert set(answers[:3]) == {401}
    assert answers[-1] == 429
    throttled = call(p, "GET", STATS, "el_one-more-guess")
    assert int(throttled.headers["Retry-After"]) > 0
    assert call(p, "GET", STATS, valid).status_code == 200


# Shared links


def test_an_admin_shares_a_site_and_its_link_opens_that_sites_stats_only(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p, container_id = shared_platform, site["container_id"]
    link = new_link(p, container_id, name="Public stats")
    listed = call(p, "GET", f"/api/adaptors/{container_id}/shared-links", site["viewer"])
    assert listed.json() == [{k: v for k, v in link.items() if k != "token"}]

    opened = p.client.get(f"/api/shared/{link['token']}").json()
    assert opened == {
        "container_id": container_id,
        "name": "My Portfolio",
        "timezone": "UTC",
        "password_required": False,
    }
    access = p.client.post(f"/api/shared/{link['token']}")
    assert access.status_code == 200, access.text
    token = access.json()["access_token"]
    assert access.json()["container_id"] == container_id and access.json()["expires_in"] > 0

    own = call(p, "GET", STATS, token)
    assert own.status_code == 200
    assert set(own.json()["events_by_adaptor"]) <= {container_id}
    assert call(p, "GET", f"{STATS}?adaptor_id={site['other']}", token).status_code == 403
    for path in ("/api/events/recent", "/api/adaptors/", f"/api/adaptors/{container_id}"):
        assert call(p, "GET", path, token).status_code == 401, path


def test_viewers_may_not_share_sites(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    path = f"/api/adaptors/{site['container_id']}/shared-links"
    assert call(shared_platform, "POST", path, site["viewer"], {}).status_code == 403


def test_a_link_with_a_password_opens_only_with_it(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    link = new_link(p, site["container_id"], password="open sesame 42")
    path = f"/api/shared/{link['token']}"
    assert link["has_password"] is True
    assert p.client.get(path).json()["password_required"] is True

    assert p.client.post(path).status_code == 401
    wrong = p.client.post(path, json={"password": "open sesame 43"})
    assert wrong.status_code == 401 and wrong.json()["error"]["message"] == "wrong password"
    right = p.client.post(path, json={"password": "open sesame 42"})
    assert right.status_code == 200
    assert call(p, "GET", STATS, right.json()["access_token"]).status_code == 200


def test_a_revoked_link_and_the_tokens_it_gave_stop_at_once(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p, container_id = shared_platform, site["container_id"]
    link = new_link(p, container_id)
    token = p.client.post(f"/api/shared/{link['token']}").json()["access_token"]

    revoke = f"/api/adaptors/{container_id}/shared-links/{link['id']}"
    assert call(p, "DELETE", revoke, site["admin"]).status_code == 200

    assert p.client.post(f"/api/shared/{link['token']}").status_code == 404
    assert p.client.get(f"/api/shared/{link['token']}").status_code == 404
    assert call(p, "GET", STATS, token).status_code == 401
    listed = call(p, "GET", f"/api/adaptors/{container_id}/shared-links", site["admin"]).json()
    assert link["id"] not in {entry["id"] for entry in listed}


def test_the_access_log_never_shows_a_links_token(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    link = new_link(p, site["container_id"])
    assert p.client.get(f"/api/shared/{link['token']}").status_code == 200

    deadline = time.monotonic() + 10
    while '"GET /api/shared/*** HTTP/1.1" 200' not in p.log.read_text():
        assert time.monotonic() < deadline, "the request was not logged"
        time.sleep(0.1)
    assert link["token"] not in p.log.read_text()


# Time zones


def test_a_site_has_a_time_zone_set_on_create_and_update(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    body = {"name": "Paris", "schema_id": "portfolio_events", "timezone": "Europe/Paris"}
    created = p.admin_post("/api/adaptors/", body)
    assert created.status_code == 201, created.text
    container_id = created.json()["container_id"]
    assert created.json()["timezone"] == "Europe/Paris"
    other = p.client.get(f"/api/adaptors/{site['other']}", headers=p.auth())
    assert other.json()["timezone"] == "UTC"

    updated = p.client.put(
        f"/api/adaptors/{container_id}", json={"timezone": "Asia/Tokyo"}, headers=p.auth()
    )

    assert updated.json()["timezone"] == "Asia/Tokyo"
    query = {"query": f'{{ adaptor(containerId: "{container_id}") {{ timezone }} }}'}
    graphql = p.client.post("/graphql", json=query, headers=p.auth()).json()
    assert graphql["data"]["adaptor"]["timezone"] == "Asia/Tokyo"
    assert catalog_view_timezone(p, container_id, "Asia/Tokyo") == "Asia/Tokyo"


def test_an_unknown_time_zone_is_a_422_naming_the_field(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    body = {"name": "Mars", "schema_id": "portfolio_events", "timezone": "Mars/Olympus_Mons"}
    for response in (
        p.admin_post("/api/adaptors/", body),
        p.client.put(
            f"/api/adaptors/{site['other']}", json={"timezone": "+02:00"}, headers=p.auth()
        ),
    ):
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "timezone"


def catalog_view_timezone(
    p: RunningPlatform, container_id: str, expected: str, timeout: float = 30
) -> str | None:
    """The `adaptors` catalog view's time zone for the site: once it is `expected` (the
    projection has caught up), or whatever it is when `timeout` runs out."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(p.env["EVENTLENS_DATABASE_URL"], autocommit=True) as conn:
        while True:
            row = conn.execute(
                "SELECT timezone FROM adaptors WHERE container_id = %s", (container_id,)
            ).fetchone()
            found = str(row[0]) if row else None
            if found == expected or time.monotonic() > deadline:
                return found
            time.sleep(0.1)


# Last: once throttled, this client gets 429 for every link it gets wrong, for minutes.
def test_guessing_a_links_password_is_throttled(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    p = shared_platform
    link = new_link(p, site["container_id"], password="the right one")
    path = f"/api/shared/{link['token']}"

    answers = [p.client.post(path, json={"password": f"guess {n}"}).status_code for n in range(6)]

    assert answers[0] == 401  # this client's unknown links count too: no more than five
    first_refused = answers.index(429)
    assert set(answers[first_refused:]) == {429}
    right = p.client.post(path, json={"password": "the right one"})
    assert right.status_code == 429 and int(right.headers["Retry-After"]) > 0
