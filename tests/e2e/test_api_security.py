"""Roles on every route and GraphQL field, and hostile input: always a 4xx naming the problem,
never a 500, never a half-written state."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
import jwt
import pytest

from eventlens.api.ingest_models import BatchNotAccepted, BatchResult
from tests.e2e.platform import SEED_SCHEMA, RunningPlatform, snippet_body

pytestmark = [pytest.mark.postgres]

VIEWER_PASSWORD = "viewer-password-1"


@pytest.fixture(scope="module")
def site(shared_platform: RunningPlatform) -> Iterator[dict[str, str]]:
    p = shared_platform
    container_id = p.setup_seed_site()
    for path in ("/", "/about"):  # the goals GraphQL's funnel below is made of
        goal = {"site_id": container_id, "page_path": path}
        assert p.admin_post("/api/goals/", goal).status_code == 201
    assert (
        p.admin_post(
            "/api/users/", {"username": "vera", "password": VIEWER_PASSWORD, "role": "viewer"}
        ).status_code
        == 201
    )
    viewer = p.login("vera", VIEWER_PASSWORD)
    yield {"container_id": container_id, "admin": p.login(), "viewer": viewer}


def call(
    p: RunningPlatform, method: str, path: str, token: str | None, body: object = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return p.client.request(method, path, json=body, headers=headers)


# (method, path, body, who may: "public" | "viewer" | "admin")
ROUTES = [
    ("GET", "/api/schemas/", None, "viewer"),
    ("GET", "/api/schemas/portfolio_events", None, "viewer"),
    ("POST", "/api/schemas/", {"name": "role_test", "properties": {"a": {}}}, "admin"),
    ("PUT", "/api/schemas/portfolio_events", {"description": "changed"}, "admin"),
    ("DELETE", "/api/schemas/role_test", None, "admin"),
    ("GET", "/api/adaptors/", None, "viewer"),
    ("POST", "/api/adaptors/", {"name": "Role", "schema_id": "portfolio_events"}, "admin"),
    ("GET", "/api/users/", None, "admin"),
    (
        "POST",
        "/api/users/",
        {"username": "newbie", "password": "long-password", "role": "viewer"},
        "admin",
    ),
    ("DELETE", "/api/users/newbie", None, "admin"),
    ("PUT", "/api/users/admin", {}, "admin"),  # another user's: a viewer may not even read it
    ("GET", "/api/events/recent", None, "viewer"),
    ("GET", "/api/events/stats", None, "viewer"),
    ("GET", "/api/events/rejected", None, "viewer"),
    ("POST", "/api/events/rejected/reprocess", {}, "admin"),
    ("GET", "/api/auth/me", None, "viewer"),
    ("GET", "/health", None, "public"),
    ("GET", "/ready", None, "public"),
    ("GET", "/metrics", None, "admin"),
    ("GET", "/api/audit-log", None, "admin"),
]


@pytest.mark.parametrize(("method", "path", "body", "needs"), ROUTES)
def test_every_route_checks_the_role(
    shared_platform: RunningPlatform,
    site: dict[str, str],
    method: str,
    path: str,
    body: object,
    needs: str,
) -> None:
    anonymous = call(shared_platform, method, path, None, body)
    as_viewer = call(shared_platform, method, path, site["viewer"], body)
    if needs == "public":
        assert anonymous.status_code == 200
        return
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.json()["error"]["code"] == "unauthorized"
    if needs == "admin":
        assert as_viewer.status_code == 403, as_viewer.text
        as_admin = call(shared_platform, method, path, site["admin"], body)
        assert as_admin.status_code < 400, as_admin.text
    else:
        assert as_viewer.status_code < 400, as_viewer.text


GRAPHQL_FIELDS = {
    "me": "{ me { username } }",
    "stats": "{ stats { totalEvents } }",
    "timeSeries": "{ timeSeries { count } }",
    "events": "{ events { nextCursor } }",
    "rejectedEvents": "{ rejectedEvents { nextCursor } }",
    "schemas": "{ schemas { name } }",
    "schema": '{ schema(name: "portfolio_events") { name } }',
    "schemaVersions": '{ schemaVersions(name: "portfolio_events") { version } }',
    "adaptors": "{ adaptors { containerId } }",
    "adaptor": '{ adaptor(containerId: "CAP-AAAAAA") { name } }',
    "topPages": "{ topPages { key } }",
    "topLinks": "{ topLinks { key } }",
    "projectionLag": "{ projectionLag { projection } }",
    "replayStatus": "{ replayStatus { projection } }",
    "users": "{ users { username } }",
    "auditLog": "{ auditLog { total } }",
    # The seed site's website is http://localhost:8080: its domain names it.
    "webStats": '{ webStats(query: {site_id: "localhost", metrics: ["visitors"], '
    'date_range: "day"}) }',
    "currentVisitors": '{ currentVisitors(siteId: "localhost") }',
    "databaseHealth": "{ databaseHealth { available } }",
    "goals": '{ goals(siteId: "localhost") { name } }',
    "alertRules": '{ alertRules(siteId: "localhost") { id } }',
    "alertFirings": '{ alertFirings(siteId: "localhost") { id } }',
    "funnel": '{ funnel(query: {site_id: "localhost", date_range: "day", '
    'steps: ["Visit /", "Visit /about"], within: "visit"}) }',
    "retention": '{ retention(query: {site_id: "localhost", date_range: "day", '
    'period: "day", start: "first visit"}) }',
}
ADMIN_FIELDS = {"users", "auditLog"}


@pytest.mark.parametrize("field", sorted(GRAPHQL_FIELDS))
def test_every_graphql_field_checks_the_role(
    shared_platform: RunningPlatform, site: dict[str, str], field: str
) -> None:
    query = {"query": GRAPHQL_FIELDS[field]}

    def ask(token: str | None) -> dict[str, object]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = shared_platform.client.post("/graphql", json=query, headers=headers)
        assert response.status_code == 200
        return response.json()  # type: ignore[no-any-return]

    anonymous = ask(None)
    assert anonymous["errors"][0]["extensions"]["status"] == 401  # type: ignore[index]
    viewer = ask(site["viewer"])
    if field in ADMIN_FIELDS:
        assert viewer["errors"][0]["extensions"]["status"] == 403  # type: ignore[index]
        assert "errors" not in ask(site["admin"])
    else:
        assert "errors" not in viewer, viewer


def test_every_graphql_query_field_is_in_the_role_matrix(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    schema = shared_platform.client.post(
        "/graphql",
        json={"query": '{ __type(name: "Query") { fields { name } } }'},
        headers={"Authorization": f"Bearer {site['admin']}"},
    ).json()
    fields = {f["name"] for f in schema["data"]["__type"]["fields"]}
    assert fields == set(GRAPHQL_FIELDS)


# Every mutation is for admins; `{site}` is the seed site's container id, `{rule}` and
# `{goal}` an alert rule and a goal of it made for the test (`targets`).
GRAPHQL_MUTATIONS = {
    "setRetention": 'mutation { setRetention(containerId: "{site}", days: 3650) { days } }',
    "clearRetention": 'mutation { clearRetention(containerId: "{site}") { days } }',
    "createAlertRule": 'mutation { createAlertRule(siteId: "{site}", kind: "bots") { id } }',
    "changeAlertRule": 'mutation { changeAlertRule(id: "{rule}", settings: {weeks: 5}) { id } }',
    "deleteAlertRule": 'mutation { deleteAlertRule(id: "{rule}") { id } }',
    "addGoal": 'mutation { addGoal(siteId: "{site}", eventName: "role_matrix") { id } }',
    "removeGoal": 'mutation { removeGoal(id: "{goal}") { id } }',
}


@pytest.fixture
def targets(shared_platform: RunningPlatform, site: dict[str, str]) -> Iterator[dict[str, str]]:
    """A traffic rule and a goal of the seed site; whatever rules and goals the test leaves
    are removed after it."""
    p, container_id = shared_platform, site["container_id"]

    def ids(kind: str) -> set[str]:
        listed = p.client.get(f"/api/{kind}/", params={"site_id": container_id}, headers=p.auth())
        return {found["id"] for found in listed.json()}

    before = {kind: ids(kind) for kind in ("alerts", "goals")}
    rule = p.admin_post("/api/alerts/", {"site_id": container_id, "kind": "traffic"})
    goal = p.admin_post("/api/goals/", {"site_id": container_id, "event_name": "role_target"})
    assert (rule.status_code, goal.status_code) == (201, 201), (rule.text, goal.text)
    yield {"{site}": container_id, "{rule}": rule.json()["id"], "{goal}": goal.json()["id"]}
    for kind, existed in before.items():
        for made in ids(kind) - existed:
            p.client.delete(f"/api/{kind}/{made}", headers=p.auth())


@pytest.mark.parametrize("field", list(GRAPHQL_MUTATIONS))  # the seed site ends as it began
def test_every_graphql_mutation_is_for_admins_only(
    shared_platform: RunningPlatform, site: dict[str, str], targets: dict[str, str], field: str
) -> None:
    text = GRAPHQL_MUTATIONS[field]
    for placeholder, value in targets.items():
        text = text.replace(placeholder, value)
    query = {"query": text}

    def ask(token: str | None) -> dict[str, object]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = shared_platform.client.post("/graphql", json=query, headers=headers)
        assert response.status_code == 200
        return response.json()  # type: ignore[no-any-return]

    assert ask(None)["errors"][0]["extensions"]["status"] == 401  # type: ignore[index]
    assert ask(site["viewer"])["errors"][0]["extensions"]["status"] == 403  # type: ignore[index]
    assert "errors" not in ask(site["admin"])


def test_every_graphql_mutation_is_in_the_role_matrix(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    schema = shared_platform.client.post(
        "/graphql",
        json={"query": '{ __type(name: "Mutation") { fields { name } } }'},
        headers={"Authorization": f"Bearer {site['admin']}"},
    ).json()
    fields = {f["name"] for f in schema["data"]["__type"]["fields"]}
    assert fields == set(GRAPHQL_MUTATIONS)


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        jwt.encode(
            {"sub": "admin", "typ": "access", "iss": "eventlens", "iat": 0, "exp": 2**40},
            "a-guessed-key-that-is-long-enough-for-hs256",
            "HS256",
        ),
        # alg "none": an unsigned token
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.",
    ],
)
def test_forged_tokens_are_refused(shared_platform: RunningPlatform, token: str) -> None:
    response = call(shared_platform, "GET", "/api/schemas/", token)
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_an_expired_token_is_refused(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    claims = jwt.decode(site["admin"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 3600
    refresh = shared_platform.client.post(
        "/api/auth/refresh", json={"refresh_token": site["admin"]}
    )
    assert refresh.status_code == 401  # an access token is not a refresh token


def test_a_refresh_token_gives_new_tokens(shared_platform: RunningPlatform) -> None:
    login = shared_platform.client.post(
        "/api/auth/login", json={"username": "vera", "password": VIEWER_PASSWORD}
    ).json()
    refreshed = shared_platform.client.post(
        "/api/auth/refresh", json={"refresh_token": login["refresh_token"]}
    )
    assert refreshed.status_code == 200
    assert call(
        shared_platform, "GET", "/api/auth/me", refreshed.json()["access_token"]
    ).json() == {
        "username": "vera",
        "role": "viewer",
    }


def test_repeated_failed_sign_ins_are_throttled(shared_platform: RunningPlatform) -> None:
    statuses = [
        shared_platform.client.post(
            "/api/auth/login", json={"username": "mallory", "password": f"guess-{i}"}
        ).status_code
        for i in range(7)
    ]
    assert statuses[:5] == [401] * 5
    assert statuses[-1] == 429


def test_a_burst_of_parallel_wrong_sign_ins_gets_no_more_guesses_than_a_sequence(
    shared_platform: RunningPlatform,
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    base = str(shared_platform.client.base_url)

    def attempt(i: int) -> int:
        with httpx.Client(base_url=base, timeout=60) as client:
            body = {"username": "burst-target", "password": f"guess-{i}"}
            # A client of its own: the other tests' failures from this address do not count.
            headers = {"X-Forwarded-For": "203.0.113.9"}
            return client.post("/api/auth/login", json=body, headers=headers).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = sorted(pool.map(attempt, range(12)))

    assert statuses == [401] * 5 + [429] * 7


@pytest.mark.parametrize(
    ("body", "content_type", "status", "words"),
    [
        (b"{bad json", "application/json", 400, "not valid JSON"),
        (b"[1, 2]", "application/json", 422, "JSON object"),
        (b'{"schema_id": 5, "event_type": "x"}', "application/json", 422, "schema_id"),
        (b'{"event_type": "x"}', "application/json", 422, "schema_id: Field required"),
        (
            b'{"schema_id": "portfolio_events", "event_type": "page_view", '
            b'"timestamp": "yesterday"}',
            "application/json",
            422,
            "timestamp",
        ),
        (
            b'{"schema_id": "portfolio_events", "event_type": "page_view", "properties": "x"}',
            "application/json",
            422,
            "properties",
        ),
        (
            b'{"schema_id": "portfolio_events", "event_type": "page_view", '
            b'"properties": {"a": "\\u0000"}}',
            "application/json",
            422,
            "NUL",
        ),
        (
            b'{"schema_id": "x", "event_type": "y"}',
            "application/x-www-form-urlencoded",
            415,
            "text/plain",
        ),
        (b'{"schema_id": "' + b"a" * 70_000 + b'"}', "application/json", 413, "exceeds"),
        (b"[" * 5000 + b"]" * 5000, "application/json", 400, "not valid JSON"),
    ],
)
def test_malformed_ingest_bodies_get_a_4xx_naming_the_problem_and_append_nothing(
    shared_platform: RunningPlatform,
    site: dict[str, str],
    body: bytes,
    content_type: str,
    status: int,
    words: str,
) -> None:
    before = _log_size(shared_platform)
    response = shared_platform.client.post(
        "/api/events/ingest", content=body, headers={"Content-Type": content_type}
    )
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]
    assert _log_size(shared_platform) == before


def test_deeply_nested_properties_are_refused(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    nested: dict[str, object] = {"leaf": 1}
    for _ in range(12):
        nested = {"n": nested}
    body = snippet_body(site["container_id"], properties=nested)
    response = shared_platform.client.post("/api/events/ingest", json=body)
    assert response.status_code == 422
    assert "nest" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"schema_id": "nope"}, 404, "unknown_schema"),
        ({"event_type": "teleport"}, 422, "unknown_event_type"),
        ({"container_id": "CAP-ZZZZZZ"}, 404, "unknown_adaptor"),
    ],
)
def test_well_formed_events_that_fail_checks_are_kept_as_rejected(
    shared_platform: RunningPlatform,
    site: dict[str, str],
    change: dict[str, str],
    status: int,
    code: str,
) -> None:
    body = {**snippet_body(site["container_id"]), **change}
    response = shared_platform.client.post("/api/events/ingest", json=body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["details"][0]["code"] == code
    event_id = error["event_id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        rejected = shared_platform.client.get(
            "/api/events/rejected", params={"reason": code}, headers=shared_platform.auth()
        ).json()
        if any(r["event_id"] == event_id for r in rejected):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the rejected event was not recorded")


def ingest_totals(p: RunningPlatform) -> dict[str, int]:
    """`/metrics`' ingest counters by outcome."""
    prefix = 'eventlens_ingested_events_total{outcome="'
    return {
        line[len(prefix) :].split('"')[0]: int(float(line.rsplit(" ", 1)[1]))
        for line in p.client.get("/metrics", headers=p.auth()).text.splitlines()
        if line.startswith(prefix)
    }


def metric(p: RunningPlatform, name: str, **labels: str) -> float:
    selector = ",".join(f'{k}="{v}"' for k, v in labels.items())
    wanted = f"{name}{{{selector}}}"
    for line in p.client.get("/metrics", headers=p.auth()).text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_events_from_origins_the_adaptor_does_not_allow_are_kept_as_rejected(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    counted = "eventlens_rejected_events_total"
    before = metric(shared_platform, counted, reason="origin_not_allowed")
    body = snippet_body(site["container_id"])
    response = shared_platform.client.post(
        "/api/events/ingest", json=body, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "origin_not_allowed"
    # No adaptor allows that origin: the answer names none, so its page cannot read it.
    assert "access-control-allow-origin" not in response.headers
    assert metric(shared_platform, counted, reason="origin_not_allowed") == before + 1
    event_id = response.json()["error"]["event_id"]
    for _ in range(100):
        found = shared_platform.client.get(
            "/api/events/rejected",
            params={"reason": "origin_not_allowed"},
            headers=shared_platform.auth(),
        )
        kept = [r for r in found.json() if r["event_id"] == event_id]
        if kept:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the event from a foreign origin was not kept as rejected")
    assert kept[0]["payload"]["origin"] == "https://evil.example"
    preflight = shared_platform.client.options(
        "/api/events/ingest", headers={"Origin": "https://evil.example"}
    )
    assert preflight.status_code == 403
    assert "access-control-allow-origin" not in preflight.headers


def test_sendbeacon_text_plain_bodies_are_accepted(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    import json

    response = shared_platform.client.post(
        "/api/events/ingest",
        content=json.dumps(snippet_body(site["container_id"])),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert response.status_code == 202


def test_a_batch_accepts_and_rejects_each_event_on_its_own(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    good = {**snippet_body(site["container_id"]), "event_id": str(uuid.uuid4())}
    before = ingest_totals(shared_platform)
    response = shared_platform.client.post(
        "/api/events/batch",
        json={"events": [good, {**good, "event_type": "teleport"}, {"schema_id": 3}, "x"]},
    )
    after = ingest_totals(shared_platform)
    assert {k: after[k] - before.get(k, 0) for k in after} == {
        "accepted": 1,
        "rejected": 1,
        "invalid": 2,
    }
    assert response.status_code == 202
    body = response.json()
    assert BatchResult.model_validate(body).model_dump(mode="json") == body  # as documented
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected", "invalid", "invalid"]
    assert [r["index"] for r in body["results"]] == [0, 1, 2, 3]
    assert (body["accepted"], body["rejected"], body["invalid"]) == (1, 1, 2)
    assert body["results"][0]["event_id"] == good["event_id"]
    assert body["results"][0]["reasons"] == []
    assert body["results"][1]["reasons"][0]["code"] == "unknown_event_type"
    assert body["results"][2]["event_id"] is None
    assert "schema_id" in body["results"][2]["reasons"][0]["message"]


def test_a_batch_with_nothing_accepted_is_a_422_in_the_error_shape_with_each_result(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    teleport = snippet_body(site["container_id"], event_type="teleport")
    response = shared_platform.client.post(
        "/api/events/batch", json={"events": [teleport, {"schema_id": 3}]}
    )
    empty = shared_platform.client.post("/api/events/batch", json=[])

    assert response.status_code == 422
    body = response.json()
    BatchNotAccepted.model_validate(body)  # as documented
    assert set(body) == set(BatchNotAccepted.model_fields)
    assert body["detail"] == "no event in the batch was accepted: 1 rejected, 1 invalid"
    assert body["error"]["code"] == "nothing_accepted"
    assert [r["status"] for r in body["results"]] == ["rejected", "invalid"]
    assert empty.status_code == 422
    assert empty.json()["detail"] == "the batch holds no events"


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        (
            "POST",
            "/api/schemas/",
            {"name": "x'; DROP TABLE event_logs; --", "properties": {"a": {}}},
            422,
        ),
        ("POST", "/api/schemas/", {"name": "a" * 41, "properties": {"a": {}}}, 422),
        (
            "POST",
            "/api/schemas/",
            {"name": "ok_name", "properties": {"a": {"type": "nonsense"}}},
            422,
        ),
        ("POST", "/api/schemas/", {"name": "ok_name"}, 422),
        ("POST", "/api/schemas/", SEED_SCHEMA, 409),
        ("PUT", "/api/schemas/missing", {"description": "x"}, 404),
        ("POST", "/api/adaptors/", {"name": "x", "schema_id": "missing"}, 404),
        (
            "POST",
            "/api/adaptors/",
            {"name": "x", "schema_id": "portfolio_events", "website_url": "javascript:x"},
            422,
        ),
        ("POST", "/api/users/", {"username": "a b", "password": "long-password"}, 422),
        ("POST", "/api/users/", {"username": "bob", "password": "short"}, 422),
        (
            "POST",
            "/api/users/",
            {"username": "bob", "password": "long-password", "role": "root"},
            422,
        ),
        ("GET", "/api/events/recent?schema_id=' OR 1=1 --", None, 200),
        ("GET", "/api/events/recent?cursor=garbage", None, 422),
        ("GET", "/api/events/recent?properties=[1]", None, 422),
        ("GET", "/api/events/recent?limit=100000", None, 422),
        ("GET", "/api/events/recent?schema_id=%00", None, 400),
        ("GET", "/api/events/stats?days=2&start=2026-01-01T00:00:00Z", None, 422),
        ("GET", "/api/events/stats?start=2026-02-01T00:00:00Z&end=2026-01-01T00:00:00Z", None, 422),
        ("GET", '/api/events/recent?properties={"a":"%5Cu0000"}', None, 400),
        ("GET", "/api/events/stats?end=0001-01-03T00:00:00Z", None, 422),
        ("GET", "/api/events/stats?start=9999-12-31T23:00:00Z&end=9999-12-31T23:59:30Z", None, 422),
        ("GET", "/api/events/recent?start=0001-01-01T00:00:00Z", None, 422),
    ],
)
def test_hostile_catalog_and_query_input_gets_a_clear_4xx(
    shared_platform: RunningPlatform,
    site: dict[str, str],
    method: str,
    path: str,
    body: object,
    status: int,
) -> None:
    response = call(shared_platform, method, path, site["admin"], body)
    assert response.status_code == status, response.text
    if status >= 400:
        assert response.json()["error"]["message"]
    else:
        assert response.json() == []


def test_oversized_rest_bodies_are_refused(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    huge = {
        "name": "big",
        "properties": {f"e{i}": {"description": "x" * 1000} for i in range(2000)},
    }
    response = call(shared_platform, "POST", "/api/schemas/", site["admin"], huge)
    assert response.status_code == 413


def test_graphql_refuses_queries_too_deep_or_too_large_every_time_they_are_sent(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {site['admin']}"}
    aliases = " ".join(f"a{i}: stats {{ totalEvents }}" for i in range(50))
    fields = " ".join("totalEvents" for _ in range(2500))
    for query, problem in (
        ("{" + aliases + "}", "aliases"),
        (
            "{ __schema { types { fields { type { fields { type { fields { type { name }"
            " } } } } } } } }",
            "depth",
        ),
        ("{ stats { " + fields + " } }", "tokens"),
    ):
        for _ in range(2):  # the second time, parsing and validation come from the caches
            response = shared_platform.client.post(
                "/graphql", json={"query": query}, headers=headers
            )
            error = response.json()["errors"][0]
            assert error["extensions"]["status"] == 400
            assert problem in error["message"].lower()


def test_graphql_answers_integers_beyond_64_bits_exactly(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    big = 10**30  # a JSON Schema bound; the fast JSON encoder refuses it, the fallback does not
    schema = {
        "name": "big_numbers",
        "properties": {"purchase": {"type": "object", "properties": {"total": {"maximum": big}}}},
    }
    assert call(shared_platform, "POST", "/api/schemas/", site["admin"], schema).status_code == 201
    query = '{ schema(name: "big_numbers") { eventTypes { name jsonSchema } } }'
    response = shared_platform.client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {site['admin']}"}
    )
    assert response.status_code == 200
    (purchase,) = response.json()["data"]["schema"]["eventTypes"]
    assert purchase["jsonSchema"]["properties"]["total"]["maximum"] == big


def test_graphql_filters_with_moments_out_of_range_get_a_422_naming_the_field(
    shared_platform: RunningPlatform, site: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {site['admin']}"}
    for query, field in (
        ('{ stats(filter: {end: "0001-01-03T00:00:00Z"}) { totalEvents } }', "end"),
        ('{ events(filter: {start: "0001-01-01T00:00:00Z"}) { nextCursor } }', "start"),
    ):
        response = shared_platform.client.post("/graphql", json={"query": query}, headers=headers)
        error = response.json()["errors"][0]
        assert error["extensions"]["status"] == 422, error
        assert error["extensions"]["field"] == field


def _log_size(p: RunningPlatform) -> int:
    import psycopg

    with psycopg.connect(p.env["EVENTLENS_DATABASE_URL"]) as conn:
        row = conn.execute("SELECT count(*) FROM eventstore_log").fetchone()
    assert row is not None
    return int(row[0])
