"""Run `eventlens up` as a real process, as a user would, and talk to it over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services import free_port, fresh_database

SEED_SCHEMA = {
    "name": "portfolio_events",
    "description": "Portfolio website tracking",
    "properties": {
        "page_view": {},
        "github_project_click": {},
        "linkedin_profile_click": {},
        "email_link_click": {},
        "navigation_click": {},
        "external_link_click": {},
    },
}
ADMIN_PASSWORD = "correct-horse-battery"


class RunningPlatform:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.env = {
            **os.environ,
            "EVENTLENS_LOG_LEVEL": "WARNING",
            # Its own port too, where no outgoing connection may have taken it meanwhile.
            "EVENTLENS_EMBEDDED_PG_PORT": str(free_port()),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)
        self._token: str | None = None
        self.log = data_dir / "eventlens.log"

    def start(self, timeout: float = 90) -> RunningPlatform:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "eventlens.cli",
                    "up",
                    "--port",
                    str(self.port),
                    "--data-dir",
                    str(self.data_dir),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"eventlens up exited:\n{self.log.read_text()[-3000:]}")
            try:
                if self.client.get("/health").status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"eventlens up did not become healthy:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)
        self._token = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._token = None

    def restart(self) -> RunningPlatform:
        return self.start()

    def close(self) -> None:
        self.stop()
        self.client.close()
        from eventlens import embedded_postgres

        if "EVENTLENS_DATABASE_URL" not in self.env:
            embedded_postgres.stop(self.data_dir)

    def login(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> str:
        response = self.client.post(
            "/api/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def auth(self) -> dict[str, str]:
        if self._token is None:
            self._token = self.login()
        return {"Authorization": f"Bearer {self._token}"}

    def admin_post(self, path: str, body: Any) -> httpx.Response:
        return self.client.post(path, json=body, headers=self.auth())

    def setup_seed_site(self) -> str:
        """The seed's quick start, steps 5 and 6: its schema and an adaptor. Returns the id."""
        assert self.admin_post("/api/schemas/", SEED_SCHEMA).status_code == 201
        response = self.admin_post(
            "/api/adaptors/",
            {
                "name": "My Portfolio",
                "schema_id": "portfolio_events",
                "website_url": "http://localhost:8080",
                "description": "Personal website tracking",
            },
        )
        assert response.status_code == 201, response.text
        container_id: str = response.json()["container_id"]
        return container_id

    def recent(self, limit: int = 100, **filters: str) -> list[dict[str, Any]]:
        response = self.client.get(
            "/api/events/recent", params={"limit": limit, **filters}, headers=self.auth()
        )
        assert response.status_code == 200, response.text
        events: list[dict[str, Any]] = response.json()
        return events

    def wait_for_recent(self, count: int, timeout: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            events = self.recent(limit=1000)
            if len(events) >= count or time.monotonic() > deadline:
                return events
            time.sleep(0.05)


def snippet_body(container_id: str, event_type: str = "page_view", **extra: Any) -> dict[str, Any]:
    """What the seed's snippet sends."""
    now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
    body: dict[str, Any] = {
        "schema_id": "portfolio_events",
        "event_type": event_type,
        "user_id": "user_1700000000000_abc123def",
        "session_id": "session_1700000000000_xyz789ghi",
        "timestamp": now,
        "properties": {
            "page_title": "Home",
            "tracked_at": now,
            "page_url": "http://localhost:8080/",
            "page_path": "/",
            "container_id": container_id,
        },
        "metadata": {},
    }
    body.update(extra)
    return body


@contextmanager
def running_on(postgres_server: str, data_dir: Path, **env: str) -> Iterator[RunningPlatform]:
    """`eventlens up` on a fresh database of the test server, with the test admin password
    and `env`; stopped (and the database dropped) afterwards."""
    with fresh_database(postgres_server) as database_url:
        settings = {
            "EVENTLENS_DATABASE_URL": database_url,
            "EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            **env,
        }
        running = RunningPlatform(data_dir, settings)
        try:
            yield running.start()
        finally:
            running.close()


@contextmanager
def running_in_store(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_server: str,
    name: str,
) -> Iterator[RunningPlatform]:
    """`eventlens up` without an ingest rate limit, on the event store `request.param` names
    ("postgres" or "kafka", with topics of its own): a module's shared platform in each mode."""
    env = {"EVENTLENS_INGEST_RATE_LIMIT": "0"}
    if request.param == "kafka":
        env["EVENTLENS_KAFKA_BOOTSTRAP"] = request.getfixturevalue("kafka_bootstrap")
        env["EVENTLENS_KAFKA_TOPIC_PREFIX"] = f"t{uuid.uuid4().hex[:10]}."
        env["EVENTLENS_KAFKA_PARTITIONS"] = "3"
    data_dir = tmp_path_factory.mktemp(f"{name}-{request.param}") / "data"
    with running_on(postgres_server, data_dir, **env) as running:
        yield running
