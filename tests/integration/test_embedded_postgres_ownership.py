"""Only the process that started the embedded PostgreSQL stops it: a one-shot command run
beside `eventlens up` (reprocess-rejected, replay) reuses the running server and leaves it
running, while a process that started the server (`eventlens up`) still stops it."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from eventlens import embedded_postgres
from eventlens.cli import main
from eventlens.config import Settings
from eventlens.runtime.platform import Platform
from tests import services

pytestmark = [pytest.mark.postgres]


def _settings(data_dir: Path) -> Settings:
    return dataclasses.replace(
        Settings(), data_dir=data_dir, database_url=None, kafka_bootstrap=None, embedded_pg_port=0
    )


def _start(data_dir: Path) -> embedded_postgres.EmbeddedPostgres:
    try:
        return embedded_postgres.start(data_dir)
    except Exception as error:  # pragma: no cover - depends on the machine
        services.unavailable("PostgreSQL", str(error))
        raise


def _accepts_connections(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)
    except psycopg.OperationalError:
        return False


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "data"
    yield path
    embedded_postgres.stop(path)  # whatever a failed test left running


@pytest.fixture
def owner(data_dir: Path) -> embedded_postgres.EmbeddedPostgres:
    """The server as `eventlens up` starts it: this test is the process that started it."""
    server = _start(data_dir)
    assert server.started
    return server


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EVENTLENS_DATABASE_URL", "EVENTLENS_KAFKA_BOOTSTRAP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EVENTLENS_EMBEDDED_PG_PORT", "0")


async def _start_and_stop(platform: Platform) -> None:
    await platform.start()
    await platform.stop()


def test_start_tells_whether_it_started_the_server_or_reused_the_running_one(
    data_dir: Path, owner: embedded_postgres.EmbeddedPostgres
) -> None:
    again = _start(data_dir)

    assert not again.started
    assert again.dsn == owner.dsn
    embedded_postgres.stop(data_dir)
    assert _start(data_dir).started


def test_a_platform_that_found_the_server_running_leaves_it_running(
    data_dir: Path, owner: embedded_postgres.EmbeddedPostgres
) -> None:
    asyncio.run(_start_and_stop(Platform(_settings(data_dir), run_workers=False)))

    assert _accepts_connections(owner.dsn)
    embedded_postgres.stop(data_dir)  # the owner's stop does stop it
    assert not _accepts_connections(owner.dsn)


def test_a_platform_that_started_the_server_stops_it(data_dir: Path) -> None:
    async def run(platform: Platform) -> bool:
        await platform.start()
        try:
            return await asyncio.to_thread(_accepts_connections, platform.database_url)
        finally:
            await platform.stop()

    platform = Platform(_settings(data_dir), run_workers=False)
    was_running = asyncio.run(run(platform))

    assert was_running
    assert not _accepts_connections(platform.database_url)
    assert not (data_dir / "postgres" / "postmaster.pid").exists()


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize("command", [["reprocess-rejected"], ["replay"]])
def test_a_one_shot_command_leaves_the_running_server_running(
    data_dir: Path, owner: embedded_postgres.EmbeddedPostgres, command: list[str]
) -> None:
    main([*command, "--data-dir", str(data_dir)])

    assert _accepts_connections(owner.dsn)


@pytest.mark.usefixtures("cli_env")
def test_replay_stops_the_server_it_started(data_dir: Path) -> None:
    main(["replay", "--data-dir", str(data_dir)])

    dsn = embedded_postgres.read_dsn(data_dir)
    assert dsn is not None  # the command did start (initialise) the server
    assert not _accepts_connections(dsn)
    assert not (data_dir / "postgres" / "postmaster.pid").exists()


def test_the_first_start_says_it_is_creating_the_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    data_dir = tmp_path / "fresh"
    with caplog.at_level(logging.INFO, logger="eventlens.embedded_postgres"):
        _start(data_dir)
        try:
            created = [r.getMessage() for r in caplog.records]
            caplog.clear()
            embedded_postgres.stop(data_dir)
            _start(data_dir)
            again = [r.getMessage() for r in caplog.records]
        finally:
            embedded_postgres.stop(data_dir)

    assert any("creating the embedded PostgreSQL" in m for m in created), created
    assert not any("creating" in m for m in again), again
