from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services
from tests.e2e.platform import ADMIN_PASSWORD, RunningPlatform


@pytest.fixture(params=["postgres", "kafka"])
def platform(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_server: str, topic_prefix: str
) -> Iterator[RunningPlatform]:
    """`eventlens up` on a fresh database, with either event store."""
    with services.fresh_database(postgres_server) as database_url:
        env = {"EVENTLENS_DATABASE_URL": database_url, "EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD}
        if request.param == "kafka":
            env["EVENTLENS_KAFKA_BOOTSTRAP"] = request.getfixturevalue("kafka_bootstrap")
            env["EVENTLENS_KAFKA_TOPIC_PREFIX"] = topic_prefix
            env["EVENTLENS_KAFKA_PARTITIONS"] = "3"
        running = RunningPlatform(tmp_path / "data", env)
        try:
            yield running.start()
        finally:
            running.close()


@pytest.fixture(scope="module")
def shared_platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    """One `eventlens up` (PostgreSQL store) shared by a module's read-mostly tests."""
    with services.fresh_database(postgres_server) as database_url:
        env = {
            "EVENTLENS_DATABASE_URL": database_url,
            "EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "EVENTLENS_INGEST_RATE_LIMIT": "0",
        }
        running = RunningPlatform(tmp_path_factory.mktemp("shared") / "data", env)
        try:
            yield running.start()
        finally:
            running.close()
