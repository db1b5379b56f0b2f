"""The embedded PostgreSQL runs with the settings EventLens declares for it, on every start."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from eventlens import embedded_postgres
from tests import services

pytestmark = [pytest.mark.postgres]


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data"
    yield path
    embedded_postgres.stop(path)


def _settings(dsn: str) -> dict[str, str]:
    with psycopg.connect(dsn) as conn:
        return {
            name: str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in embedded_postgres.SERVER_SETTINGS
        }


def test_the_server_runs_with_its_declared_settings_on_a_first_start_and_a_restart(
    data_dir: Path,
) -> None:
    try:
        first = embedded_postgres.start(data_dir)
    except Exception as error:  # pragma: no cover - depends on the machine
        services.unavailable("PostgreSQL", str(error))
        raise
    settings = _settings(first.dsn)
    assert settings == embedded_postgres.SERVER_SETTINGS
    assert settings["wal_init_zero"] == "off"  # new WAL segments are not zero-filled

    embedded_postgres.stop(data_dir)
    again = embedded_postgres.start(data_dir)

    assert again.started
    assert _settings(again.dsn) == embedded_postgres.SERVER_SETTINGS


def test_a_data_directory_deep_in_the_file_system_starts(tmp_path: Path) -> None:
    # Deeper than a Unix socket's path may be (107 bytes): the server listens on TCP alone.
    deep = tmp_path / ("a-directory-with-a-long-name-" * 4) / "data"
    assert len(str(deep / "postgres" / ".s.PGSQL.65535")) > 107
    try:
        server = embedded_postgres.start(deep)
        with psycopg.connect(server.dsn) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        embedded_postgres.stop(deep)
