from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.platform import RunningPlatform, running_on


@pytest.fixture(params=["postgres", "kafka"])
def platform(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: str, topic_prefix: str
) -> Iterator[RunningPlatform]:
    """`eventlens up` on a fresh database, with either event store."""
    env = {}
    if request.param == "kafka":
        env["EVENTLENS_KAFKA_BOOTSTRAP"] = request.getfixturevalue("kafka_bootstrap")
        env["EVENTLENS_KAFKA_TOPIC_PREFIX"] = topic_prefix
        env["EVENTLENS_KAFKA_PARTITIONS"] = "3"
    with running_on(postgres_server, tmp_path / "data", **env) as running:
        yield running


@pytest.fixture(scope="module")
def shared_platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    """One `eventlens up` (PostgreSQL store) shared by a module's read-mostly tests."""
    data_dir = tmp_path_factory.mktemp("shared") / "data"
    with running_on(postgres_server, data_dir, EVENTLENS_INGEST_RATE_LIMIT="0") as running:
        yield running
