"""The per-client ingest limit: a batch pays one token per event, so batching cannot evade it.

The platform here allows 50 events/s per client (bursts of 100). Each test is a different
client: the API trusts `X-Forwarded-For` from the local proxy address the tests connect from.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.platform import RunningPlatform, running_on, snippet_body

pytestmark = [pytest.mark.postgres]

RATE = 50


@pytest.fixture(scope="module")
def limited(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[tuple[RunningPlatform, str]]:
    data_dir = tmp_path_factory.mktemp("limited") / "data"
    with running_on(postgres_server, data_dir, EVENTLENS_INGEST_RATE_LIMIT=str(RATE)) as running:
        yield running, running.setup_seed_site()


def batch(platform: RunningPlatform, container_id: str, client: str, size: int) -> httpx.Response:
    return platform.client.post(
        "/api/events/batch",
        json={"events": [snippet_body(container_id) for _ in range(size)]},
        headers={"X-Forwarded-For": client},
    )


def single(platform: RunningPlatform, container_id: str, client: str) -> httpx.Response:
    return platform.client.post(
        "/api/events/ingest", json=snippet_body(container_id), headers={"X-Forwarded-For": client}
    )


def accepted_total(platform: RunningPlatform) -> int:
    text = platform.client.get("/metrics", headers=platform.auth()).text
    line = next(x for x in text.splitlines() if 'outcome="accepted"' in x)
    return int(float(line.rsplit(" ", 1)[1]))


def test_a_batch_costs_one_token_per_event_and_a_refused_batch_records_nothing(
    limited: tuple[RunningPlatform, str],
) -> None:
    platform, container_id = limited
    first = batch(platform, container_id, "198.51.100.1", 100)  # the whole burst
    assert first.status_code == 202, first.text
    before = accepted_total(platform)

    # 60 asked of an empty bucket: refused unless 1.2 s passed since (50 tokens a second).
    second = batch(platform, container_id, "198.51.100.1", 60)

    assert second.status_code == 429, second.text
    assert "too many events from 198.51.100.1" in second.json()["detail"]
    assert int(second.headers["retry-after"]) >= 1
    assert accepted_total(platform) == before
    # Another client is not held back by this one.
    assert batch(platform, container_id, "198.51.100.2", 60).status_code == 202


def test_a_batch_larger_than_the_burst_passes_once_then_the_client_waits_out_the_debt(
    limited: tuple[RunningPlatform, str],
) -> None:
    platform, container_id = limited

    large = batch(platform, container_id, "198.51.100.3", 300)  # burst 100: 200 owed
    after = single(platform, container_id, "198.51.100.3")

    assert large.status_code == 202, large.text
    assert large.json()["accepted"] == 300
    assert after.status_code == 429
    assert int(after.headers["retry-after"]) >= 4  # 201 tokens at 50/s
