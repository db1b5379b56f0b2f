"""Backups of a running platform restore into a new data directory with the same answers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest

from eventlens import embedded_postgres
from tests.e2e.platform import ADMIN_PASSWORD, RunningPlatform, running_on, snippet_body
from tests.services import fresh_database

pytestmark = [pytest.mark.postgres]

# Bookkeeping and the write side, which differ between two deployments by design.
NOT_READ_MODELS = {
    "projection_positions",
    "projection_versions",
    "replay_runs",
    "eventstore_log",
    "eventlens_catalog_events",
    "eventlens_secrets",
    "eventlens_login_failures",
    "eventlens_refresh_tokens",
    "visitor_salts",
}


def eventlens(
    *args: str, env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "eventlens.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def store_env(platform: RunningPlatform) -> dict[str, str]:
    """How a command reaches the platform's store (its database, its Kafka topics)."""
    return {
        k: v
        for k, v in platform.env.items()
        if k.startswith("EVENTLENS_KAFKA") or k == "EVENTLENS_DATABASE_URL"
    }


def read_models(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every read model's rows, in a stable order."""
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v') "
                "AND NOT c.relispartition "
                "ORDER BY 1"
            ).fetchall()
            if row[0] not in NOT_READ_MODELS
        ]
        found = {}
        for table in tables:
            rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
            found[table] = sorted(rows, key=repr)
        return found


def wait_until_projected(url: str, events: int, rejected: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    seen: tuple[Any, ...] | None = None
    while time.monotonic() < deadline:
        with psycopg.connect(url) as conn:
            try:
                seen = conn.execute(
                    "SELECT (SELECT count(*) FROM event_logs), "
                    "(SELECT count(*) FROM rejected_events)"
                ).fetchone()
            except psycopg.errors.UndefinedTable:
                seen = None
        if seen == (events, rejected):
            time.sleep(1.5)  # the rollups' last batch
            return
        time.sleep(0.3)
    raise AssertionError(f"projected {seen}, expected {(events, rejected)}")


class Traffic:
    """Tracker-like ingest in a thread: several sessions, pages and event types, and events
    the schema rejects."""

    def __init__(self, platform: RunningPlatform, container_id: str) -> None:
        self.platform = platform
        self.container_id = container_id
        self.accepted = 0
        self.rejected = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def send(self, n: int) -> None:
        for i in range(n):
            number = self.accepted + self.rejected
            event_type = (
                "unknown_type" if number % 17 == 0 else ("page_view", "navigation_click")[i % 2]
            )
            body = snippet_body(
                self.container_id,
                event_type,
                session_id=f"session_{number % 23}",
                user_id=f"user_{number % 11}",
            )
            body["properties"]["page_path"] = f"/page/{number % 7}"
            response = self.platform.client.post("/api/events/ingest", json=body)
            while response.status_code == 429:  # the ingest's rate limit: slow down, resend
                time.sleep(float(response.headers.get("Retry-After", "1")))
                response = self.platform.client.post("/api/events/ingest", json=body)
            rejected = event_type == "unknown_type"
            assert response.status_code == (422 if rejected else 202), response.text
            if rejected:
                self.rejected += 1
            else:
                self.accepted += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.send(5)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(60)


def restore_env(platform: RunningPlatform, topic_prefix: str) -> dict[str, str]:
    """The restored deployment: an embedded database in its data directory, and in Kafka
    mode topics of its own on the same broker."""
    env = {"EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD, "EVENTLENS_LOG_LEVEL": "WARNING"}
    if "EVENTLENS_KAFKA_BOOTSTRAP" in platform.env:
        env["EVENTLENS_KAFKA_BOOTSTRAP"] = platform.env["EVENTLENS_KAFKA_BOOTSTRAP"]
        env["EVENTLENS_KAFKA_PARTITIONS"] = platform.env["EVENTLENS_KAFKA_PARTITIONS"]
        env["EVENTLENS_KAFKA_TOPIC_PREFIX"] = f"{topic_prefix}restored."
    return env


def test_a_backup_taken_during_ingest_restores_into_a_new_data_directory_with_the_same_answers(
    platform: RunningPlatform, tmp_path: Path, topic_prefix: str
) -> None:
    # Given a running platform with a site and its history, and ingest going on
    container_id = platform.setup_seed_site()
    traffic = Traffic(platform, container_id)
    traffic.send(150)
    token = platform.auth()
    backup_dir = tmp_path / "backup"
    with traffic:
        time.sleep(0.5)
        # When it is backed up while events keep coming
        backed_up = eventlens("backup", str(backup_dir), env=store_env(platform))
    assert "backup written to" in backed_up.stdout
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    in_backup = sum(manifest["events"].values())
    assert 150 <= in_backup < traffic.accepted + traffic.rejected

    # ... and restored into a new data directory
    new_dir = tmp_path / "restored"
    env = restore_env(platform, topic_prefix)
    restored = eventlens("restore", str(backup_dir), "--data-dir", str(new_dir), env=env)
    assert f"restored {in_backup:,} events" in restored.stdout
    assert "events:" in restored.stderr and "ev/s" in restored.stderr  # progress
    assert not list(tmp_path.glob(".restored*")), "the staging directory was left behind"

    # Then the restored platform holds the backed-up history and its users and secrets
    copy = RunningPlatform(new_dir, env).start()
    try:
        restored_url = embedded_postgres.read_dsn(new_dir)
        assert restored_url is not None
        with psycopg.connect(restored_url) as conn:
            restored_events = conn.execute(
                "SELECT (SELECT count(*) FROM event_logs) + (SELECT count(*) FROM rejected_events)"
            ).fetchone()
        assert restored_events == (in_backup,)
        # A token signed before the backup verifies: the signing key came with it.
        answer = copy.client.get("/api/schemas/", headers=token)
        assert answer.status_code == 200, answer.text

        # ... and once the events sent after the backup are imported, every read model
        # answers as the original's does.
        original_url = platform.env["EVENTLENS_DATABASE_URL"]
        wait_until_projected(original_url, traffic.accepted, traffic.rejected)
        exported = tmp_path / "history.ndjson"
        eventlens("export-events", str(exported), env=store_env(platform))
        imported = eventlens("import-events", str(exported), "--data-dir", str(new_dir), env=env)
        later = traffic.accepted + traffic.rejected - in_backup
        assert f"appended {later:,} of" in imported.stdout
        wait_until_projected(restored_url, traffic.accepted, traffic.rejected)
        original, copied = read_models(original_url), read_models(restored_url)
        assert set(copied) == set(original)
        for table in original:
            assert copied[table] == original[table], table
        assert original["event_logs"] and original["stats_daily"] and original["rejected_events"]
        assert copy.login()  # the users came with the catalog (a sign-in is audited: last)
    finally:
        copy.close()


@pytest.mark.parametrize("platform", ["postgres"], indirect=True)
def test_export_then_import_into_the_same_store_appends_nothing(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    container_id = platform.setup_seed_site()
    Traffic(platform, container_id).send(20)
    exported = tmp_path / "history.ndjson.gz"
    eventlens("export-events", str(exported), env=store_env(platform))
    again = eventlens("import-events", str(exported), env=store_env(platform))
    assert "appended 0 of 20 events; 20 were recorded already" in again.stdout


@pytest.fixture(scope="module")
def source_backup(tmp_path_factory: pytest.TempPathFactory, postgres_server: str) -> Path:
    """A backup of a small platform (PostgreSQL store), made once for the module."""
    base = tmp_path_factory.mktemp("source")
    with running_on(postgres_server, base / "data") as running:
        container_id = running.setup_seed_site()
        Traffic(running, container_id).send(5)
        eventlens("backup", str(base / "backup"), env=store_env(running))
    return base / "backup"


@pytest.fixture
def a_backup(source_backup: Path, tmp_path: Path) -> Path:
    """A copy of it that a test may damage."""
    return Path(shutil.copytree(source_backup, tmp_path / "backup"))


def test_restore_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = eventlens(
        "restore",
        str(tmp_path / "nowhere"),
        "--data-dir",
        str(tmp_path / "new"),
        env={},
        check=False,
    )
    assert result.returncode != 0
    assert "restore refused:" in result.stderr and "is not a directory" in result.stderr
    assert not (tmp_path / "new").exists()


def test_restore_refuses_a_tampered_backup_and_writes_nothing(
    a_backup: Path, tmp_path: Path
) -> None:
    manifest = json.loads((a_backup / "manifest.json").read_text())
    manifest["files"]["secrets.json"]["sha256"] = "0" * 64
    (a_backup / "manifest.json").write_text(json.dumps(manifest))
    result = eventlens(
        "restore", str(a_backup), "--data-dir", str(tmp_path / "new"), env={}, check=False
    )
    assert result.returncode != 0
    assert "secrets.json does not match its checksum" in result.stderr
    assert not (tmp_path / "new").exists()
    assert not list(tmp_path.glob(".new*"))


def test_restore_refuses_a_partial_backup(a_backup: Path, tmp_path: Path) -> None:
    events = a_backup / "events.ndjson.gz"
    events.write_bytes(events.read_bytes()[:-20])
    result = eventlens(
        "restore", str(a_backup), "--data-dir", str(tmp_path / "new"), env={}, check=False
    )
    assert result.returncode != 0
    assert "events.ndjson.gz has" in result.stderr and "incomplete" in result.stderr


def test_restore_refuses_another_format_version(a_backup: Path, tmp_path: Path) -> None:
    manifest = json.loads((a_backup / "manifest.json").read_text())
    manifest["format_version"] = 99
    (a_backup / "manifest.json").write_text(json.dumps(manifest))
    result = eventlens(
        "restore", str(a_backup), "--data-dir", str(tmp_path / "new"), env={}, check=False
    )
    assert result.returncode != 0
    assert "backup format version 99 is not supported" in result.stderr


def test_restore_refuses_a_non_empty_target_and_leaves_it_alone(
    a_backup: Path, tmp_path: Path
) -> None:
    target = tmp_path / "existing"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    result = eventlens("restore", str(a_backup), "--data-dir", str(target), env={}, check=False)
    assert result.returncode != 0
    assert "exists and is not empty" in result.stderr
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


def test_backup_refuses_a_non_empty_directory(tmp_path: Path, postgres_server: str) -> None:
    target = tmp_path / "backup"
    target.mkdir()
    (target / "other").write_text("x")
    with fresh_database(postgres_server) as url:
        result = eventlens("backup", str(target), env={"EVENTLENS_DATABASE_URL": url}, check=False)
    assert result.returncode != 0
    assert "backup refused:" in result.stderr and "is not empty" in result.stderr


def test_import_refuses_a_bad_line_before_appending_anything(
    tmp_path: Path, postgres_server: str
) -> None:
    good = {
        "stream": "analytics.events",
        "event_id": str(uuid.uuid4()),
        "partition_key": "s",
        "payload": {"event_id": "x"},
    }
    good["payload"]["event_id"] = good["event_id"]
    file = tmp_path / "events.ndjson"
    file.write_text(json.dumps(good) + "\n" + json.dumps({**good, "stream": "elsewhere"}) + "\n")
    with fresh_database(postgres_server) as url:
        result = eventlens(
            "import-events", str(file), env={"EVENTLENS_DATABASE_URL": url}, check=False
        )
        with psycopg.connect(url) as conn:
            exists = conn.execute("SELECT to_regclass('eventstore_log')").fetchone()
    assert result.returncode != 0
    assert "line 2: stream must be one of" in result.stderr
    assert exists == (None,)


def test_a_postgres_mode_backup_restores_into_kafka_mode(
    a_backup: Path, tmp_path: Path, kafka_bootstrap: str, topic_prefix: str
) -> None:
    manifest = json.loads((a_backup / "manifest.json").read_text())
    env = {
        "EVENTLENS_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "EVENTLENS_KAFKA_TOPIC_PREFIX": topic_prefix,
        "EVENTLENS_KAFKA_PARTITIONS": "3",
    }
    new_dir = tmp_path / "kafka-mode"
    eventlens("restore", str(a_backup), "--data-dir", str(new_dir), env=env)

    url = embedded_postgres.read_dsn(new_dir)
    assert url is not None
    with running_embedded(new_dir), psycopg.connect(url) as conn:
        found = conn.execute(
            "SELECT (SELECT count(*) FROM event_logs), (SELECT count(*) FROM rejected_events)"
        ).fetchone()
    assert found == (
        manifest["events"]["analytics.events"],
        manifest["events"]["analytics.events.rejected"],
    )
    # Restoring again into the same topics is refused: they hold the events now.
    again = eventlens(
        "restore", str(a_backup), "--data-dir", str(tmp_path / "again"), env=env, check=False
    )
    assert again.returncode != 0
    assert "already hold events" in again.stderr
    assert not (tmp_path / "again").exists()


@contextmanager
def running_embedded(data_dir: Path) -> Iterator[None]:
    embedded_postgres.start(data_dir)
    try:
        yield
    finally:
        embedded_postgres.stop(data_dir)


def test_a_running_embedded_platform_is_backed_up_and_keeps_running(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env = {"EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD, "EVENTLENS_LOG_LEVEL": "WARNING"}
    running = RunningPlatform(data_dir, env).start()
    try:
        container_id = running.setup_seed_site()
        Traffic(running, container_id).send(5)

        backed_up = eventlens(
            "backup", str(tmp_path / "backup"), "--data-dir", str(data_dir), env={}
        )

        # The size is told against the data directory's, and the platform's database is
        # still the one it runs on: the backup found it running and left it so.
        assert "of the data directory's" in backed_up.stdout
        assert running.client.get("/health").status_code == 200
        body = snippet_body(container_id)
        assert running.client.post("/api/events/ingest", json=body).status_code == 202
        assert len(running.wait_for_recent(5)) == 5  # 4 accepted before, 1 after
    finally:
        running.close()
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["events"] == {"analytics.events": 4, "analytics.events.rejected": 1}
