from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import services


@pytest.fixture(scope="session")
def services_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("services")


@pytest.fixture(scope="session")
def postgres_server(services_dir: Path) -> Iterator[str]:
    with services.postgres_server(services_dir) as url:
        yield url


@pytest.fixture
def database_url(postgres_server: str) -> Iterator[str]:
    with services.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(scope="session")
def kafka_bootstrap(services_dir: Path) -> Iterator[str]:
    with services.kafka_broker(services_dir) as bootstrap:
        yield bootstrap


@pytest.fixture
def topic_prefix() -> str:
    """Each test gets its own topics (and consumer groups) on the shared broker."""
    return f"t{uuid.uuid4().hex[:10]}."


@pytest.fixture
def database_server(tmp_path: Path) -> Iterator[services.RestartablePostgres]:
    """A PostgreSQL server of the test's own, to stop and start again (outage tests)."""
    server = services.RestartablePostgres(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()
