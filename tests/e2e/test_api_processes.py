"""`eventlens up` serving from several API processes on one port (EVENTLENS_API_PROCESSES).

Every request here goes over a new connection, so the kernel hands consecutive requests to
different processes: whatever one process records, the next request must see.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.e2e.platform import RunningPlatform, running_on, snippet_body

pytestmark = [pytest.mark.postgres]

PROCESSES = 3


@pytest.fixture(scope="module")
def processes_platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    data_dir = tmp_path_factory.mktemp("processes") / "data"
    with running_on(postgres_server, data_dir, EVENTLENS_API_PROCESSES=str(PROCESSES)) as running:
        yield running


def fresh(platform: RunningPlatform) -> httpx.Client:
    """A client on a connection of its own."""
    return httpx.Client(base_url=str(platform.client.base_url), timeout=30)


def request(platform: RunningPlatform, method: str, path: str, **kwargs: object) -> httpx.Response:
    with fresh(platform) as client:
        return client.request(method, path, **kwargs)  # type: ignore[arg-type]


def api_processes(platform: RunningPlatform) -> list[psutil.Process]:
    assert platform.process is not None
    main = psutil.Process(platform.process.pid)
    replicas = [p for p in main.children() if "--replica" in p.cmdline()]
    return [main, *replicas]


def test_the_configured_number_of_api_processes_serve_one_port(
    processes_platform: RunningPlatform,
) -> None:
    assert len(api_processes(processes_platform)) == PROCESSES
    statuses = {request(processes_platform, "GET", "/health").status_code for _ in range(20)}
    assert statuses == {200}


def test_a_user_created_through_one_process_can_sign_in_through_any(
    processes_platform: RunningPlatform,
) -> None:
    auth = processes_platform.auth()
    for n in range(6):
        username, password = f"analyst{n}", f"long-password-{n}"
        created = request(
            processes_platform,
            "POST",
            "/api/users/",
            json={"username": username, "password": password, "role": "viewer"},
            headers=auth,
        )
        assert created.status_code == 201, created.text

        signed_in = request(
            processes_platform,
            "POST",
            "/api/auth/login",
            json={"username": username, "password": password},
        )

        assert signed_in.status_code == 200, signed_in.text


def test_a_new_site_takes_events_at_once_whichever_process_answers(
    processes_platform: RunningPlatform,
) -> None:
    auth = processes_platform.auth()
    for n in range(4):
        schema = f"site_{n}_events"
        assert (
            request(
                processes_platform,
                "POST",
                "/api/schemas/",
                json={"name": schema, "properties": {"page_view": {}}},
                headers=auth,
            ).status_code
            == 201
        )
        adaptor = request(
            processes_platform,
            "POST",
            "/api/adaptors/",
            json={"name": f"Site {n}", "schema_id": schema, "website_url": "http://localhost"},
            headers=auth,
        )
        assert adaptor.status_code == 201, adaptor.text
        body = {**snippet_body(adaptor.json()["container_id"]), "schema_id": schema}

        accepted = request(processes_platform, "POST", "/api/events/ingest", json=body)

        assert accepted.status_code == 202, accepted.text


def test_failed_sign_ins_are_counted_across_processes(
    processes_platform: RunningPlatform,
) -> None:
    statuses = [
        request(
            processes_platform,
            "POST",
            "/api/auth/login",
            json={"username": "eve", "password": f"guess-{i}"},
        ).status_code
        for i in range(2 * PROCESSES)
    ]

    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * (2 * PROCESSES - 5)


def _accepted_total(platform: RunningPlatform) -> int:
    text = request(platform, "GET", "/metrics", headers=platform.auth()).text
    line = next(x for x in text.splitlines() if 'outcome="accepted"' in x)
    return int(float(line.rsplit(" ", 1)[1]))


def test_metrics_count_the_events_of_every_process(
    processes_platform: RunningPlatform,
) -> None:
    container_id = processes_platform.setup_seed_site()
    before = _accepted_total(processes_platform)

    for _ in range(3 * PROCESSES):
        response = request(
            processes_platform, "POST", "/api/events/ingest", json=snippet_body(container_id)
        )
        assert response.status_code == 202, response.text

    assert {_accepted_total(processes_platform) for _ in range(2 * PROCESSES)} == {
        before + 3 * PROCESSES
    }


def test_an_api_process_that_dies_is_replaced_and_the_others_keep_answering(
    processes_platform: RunningPlatform,
) -> None:
    victim = api_processes(processes_platform)[1]
    victim.kill()
    victim.wait(10)

    statuses = {request(processes_platform, "GET", "/health").status_code for _ in range(20)}
    assert statuses == {200}
    deadline = time.monotonic() + 30
    while len(api_processes(processes_platform)) < PROCESSES:
        assert time.monotonic() < deadline, "the dead API process was not replaced"
        time.sleep(0.2)


def test_stopping_stops_every_process(tmp_path: Path, postgres_server: str) -> None:
    with running_on(postgres_server, tmp_path / "data", EVENTLENS_API_PROCESSES="2") as running:
        assert running.process is not None
        family = psutil.Process(running.process.pid).children(recursive=True)
        assert len(family) == 2  # the projection workers and the second API process

    _gone, alive = psutil.wait_procs(family, timeout=10)
    assert alive == []
