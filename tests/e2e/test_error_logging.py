"""Anonymous mistakes on a running platform cannot fill its log: at DEBUG, each is at most a
line, never a traceback and never an ERROR."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.platform import RunningPlatform, running_on

pytestmark = [pytest.mark.postgres]

GRAPHQL_MISTAKES = [
    "{ nothingHere }",
    "{ me { username } }",  # anonymous
    "subscription { liveStats { totalEvents } }",  # over HTTP
    '{ stats(filter: {end: "0001-01-03T00:00:00Z"}) { totalEvents } }',
    "{ " * 300 + "}" * 300,
]


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    data_dir = tmp_path_factory.mktemp("error-logging") / "data"
    with running_on(postgres_server, data_dir, EVENTLENS_LOG_LEVEL="DEBUG") as running:
        yield running


def test_anonymous_mistakes_log_no_error_and_no_traceback(platform: RunningPlatform) -> None:
    client = platform.client
    before = platform.log.read_text()
    answers = [client.post("/graphql", json={"query": query}) for query in GRAPHQL_MISTAKES]
    rest = [
        client.post("/api/auth/login", json={"username": "nobody", "password": "wrong-one"}),
        client.post("/api/auth/refresh", json={"refresh_token": "forged"}),
        client.get("/api/schemas/", headers={"Authorization": "Bearer forged"}),
        client.post("/api/schemas/", content=b"{bad", headers={"Content-Type": "application/json"}),
        client.post("/api/v2/query", json={"site_id": 5}),
        client.get("/api/events/recent?cursor=garbage"),
    ]
    answers += rest

    assert all(200 <= a.status_code < 500 for a in answers), [a.status_code for a in answers]
    written = platform.log.read_text()[len(before) :]
    assert "Traceback" not in written
    assert " ERROR " not in written
    assert " WARNING " not in written
    debug_lines = [line for line in written.splitlines() if " DEBUG eventlens.api.errors" in line]
    # GraphQL answers its mistakes without a line; each REST mistake gets one.
    assert len(debug_lines) == len(rest)
