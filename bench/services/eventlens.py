"""`eventlens up` as a real process, set up through its REST API as a site owner would."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.core import BenchmarkFailure
from bench.http import request_json
from bench.procs import ServerProcess, free_port, server_process
from bench.scope import SCOPES, new_scope
from bench.services.postgres import postmaster_tree
from eventlens import embedded_postgres

ADMIN_PASSWORD = "bench-admin-password-not-secret"
INGEST_RATE_LIMIT = 1_000_000_000  # events/s per client

# The seed README's schema (quick start, step 5) and adaptor (step 6).
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
SEED_ADAPTOR = {
    "name": "My Portfolio",
    "schema_id": "portfolio_events",
    "website_url": "http://localhost:8080",
    "description": "Personal website tracking",
}


def login(base_url: str, username: str = "admin", password: str = ADMIN_PASSWORD) -> str:
    """A user's access token, the admin's unless told otherwise."""
    status, body = request_json(
        "POST", base_url + "/api/auth/login", {"username": username, "password": password}
    )
    if status != 200:
        raise BenchmarkFailure(f"login failed: {status} {body}")
    return str(body["access_token"])


@dataclass
class EventLens:
    server: ServerProcess
    data_dir: Path
    database_url: str
    embedded: bool

    def app_pids(self) -> list[int]:
        """The `eventlens up` process and anything it spawned."""
        try:
            process = psutil.Process(self.server.pid)
            return [process.pid, *(c.pid for c in process.children(recursive=True))]
        except psutil.Error:
            return []

    def db_pids(self) -> list[int]:
        """The embedded PostgreSQL's processes (they run as another user, not as children)."""
        return postmaster_tree(self.data_dir) if self.embedded else []

    def setup_seed_site(self) -> str:
        """Log in, register the seed's schema and an adaptor; returns the container id."""
        base = self.server.base_url
        status, body = request_json(
            "POST", base + "/api/auth/login", {"username": "admin", "password": ADMIN_PASSWORD}
        )
        if status != 200:
            raise BenchmarkFailure(f"login failed: {status} {body}")
        token = body["access_token"]
        status, body = request_json("POST", base + "/api/schemas/", SEED_SCHEMA, token)
        if status != 201:
            raise BenchmarkFailure(f"creating the schema failed: {status} {body}")
        status, body = request_json("POST", base + "/api/adaptors/", SEED_ADAPTOR, token)
        if status != 201:
            raise BenchmarkFailure(f"creating the adaptor failed: {status} {body}")
        container_id: str = body["container_id"]
        return container_id


@contextlib.contextmanager
def eventlens_up(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[EventLens]:
    """Run `eventlens up` on a fresh data directory; embedded PostgreSQL unless `env` names a
    database. Stops it (and its embedded server) afterwards."""
    port = free_port()
    env = {
        "EVENTLENS_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "EVENTLENS_LOG_LEVEL": "WARNING",
        # All load comes from one address; the per-client limit stays in the path (every
        # request is charged to its bucket) but is set far above what one machine can send.
        "EVENTLENS_INGEST_RATE_LIMIT": str(INGEST_RATE_LIMIT),
        **(env or {}),
    }
    embedded = "EVENTLENS_DATABASE_URL" not in env
    args = [sys.executable, "-m", "eventlens.cli", "up", "--port", str(port)]
    args += ["--data-dir", str(data_dir)]
    scope = new_scope("up")
    SCOPES.append((data_dir.parent.name.rsplit("-", 1)[0], scope))
    try:
        with server_process(
            "eventlens up", scope.wrap(args), port, data_dir.parent / f"{data_dir.name}.log", env
        ) as server:
            url = env.get("EVENTLENS_DATABASE_URL") or embedded_postgres.read_dsn(data_dir)
            if url is None:
                raise BenchmarkFailure("eventlens up started but wrote no database address")
            try:
                yield EventLens(server, data_dir.resolve(), url, embedded)
            finally:
                scope.record()
    finally:
        if embedded:  # normally stopped by eventlens up itself; make sure after a crash
            embedded_postgres.stop(data_dir)
        scope.close()
