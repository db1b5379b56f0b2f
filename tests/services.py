"""Real services for the tests: PostgreSQL and an Apache Kafka broker.

`EVENTLENS_TEST_DATABASE_URL` / `EVENTLENS_TEST_KAFKA_BOOTSTRAP` name running ones; otherwise
the tests start their own: the embedded PostgreSQL and a KRaft broker from
`scripts/kafka-broker`. Under `CI=true` a service that cannot be had fails the run instead of
skipping tests.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(what: str, why: str) -> None:
    message = f"{what} is not available: {why}"
    if IN_CI:
        pytest.fail(message + " (CI=true: real-service tests may not be skipped)")
    pytest.skip(message)


PORTS = range(20_000, 32_768)  # below Linux's ephemeral ports (32768-60999 by default)


def _worker_share() -> tuple[int, int]:
    """(this test process's index, how many run): pytest-xdist's workers, or (0, 1)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return (int(worker) if worker.isdigit() else 0) % count, count


def free_port() -> int:
    """A port free now, below the range the kernel hands out to outgoing connections (so no
    client's connection takes it before its server binds it). Parallel test processes draw
    from disjoint residues, so two of them never pick the same port."""
    index, count = _worker_share()
    while True:
        port = random.randrange(PORTS.start + index, PORTS.stop, count)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


@contextmanager
def postgres_server(workdir: Path) -> Iterator[str]:
    configured = os.environ.get("EVENTLENS_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    from eventlens import embedded_postgres

    try:
        server = embedded_postgres.start(workdir / "pg")
    except Exception as error:  # pragma: no cover - depends on the machine
        unavailable("PostgreSQL", str(error))
        raise
    try:
        yield server.dsn
    finally:
        embedded_postgres.stop(workdir / "pg")


@contextmanager
def kafka_broker(workdir: Path) -> Iterator[str]:
    configured = os.environ.get("EVENTLENS_TEST_KAFKA_BOOTSTRAP")
    if configured:
        yield configured
        return
    script = ROOT / "scripts" / "kafka-broker"
    # Ports are found free, then released and bound by the broker: another process may take
    # one in between. Both ports are chosen (not the default controller port, the broker
    # port + 1, which nobody checked), and a start that lost the race is tried again.
    for attempt in range(3):
        data = workdir / f"kafka-{attempt}"
        port = free_port()
        controller_port = free_port()
        while controller_port == port:
            controller_port = free_port()
        result = subprocess.run(
            [
                str(script),
                "start",
                "--port",
                str(port),
                "--controller-port",
                str(controller_port),
                "--dir",
                str(data),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if result.returncode == 0 or "Address already in use" not in result.stderr:
            break
        subprocess.run([str(script), "stop", "--dir", str(data)], check=False, timeout=120)
    if result.returncode != 0:
        unavailable("Apache Kafka", result.stderr[-2000:])
    try:
        yield result.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(script), "stop", "--dir", str(data)], check=False, timeout=120)


def with_database(url: str, name: str) -> str:
    params = psycopg.conninfo.conninfo_to_dict(url)
    params["dbname"] = name
    return psycopg.conninfo.make_conninfo(**params)  # type: ignore[arg-type]


@contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the test server; dropped afterwards."""
    name = f"eventlens_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield with_database(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


class RestartableKafka:
    """A broker of a test's own, to be stopped and started again on the same port and data
    directory (an outage as operators meet it): never the session's shared broker."""

    def __init__(self, workdir: Path) -> None:
        self.data = workdir / "kafka-own"
        self.port = free_port()
        self.controller_port = free_port()
        while self.controller_port == self.port:
            self.controller_port = free_port()
        self.bootstrap = f"127.0.0.1:{self.port}"

    def start(self) -> RestartableKafka:
        result = subprocess.run(
            [
                str(ROOT / "scripts" / "kafka-broker"),
                "start",
                "--port",
                str(self.port),
                "--controller-port",
                str(self.controller_port),
                "--dir",
                str(self.data),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        if result.returncode != 0:
            unavailable("Apache Kafka", result.stderr[-2000:])
        return self

    def stop(self) -> None:
        subprocess.run(
            [str(ROOT / "scripts" / "kafka-broker"), "stop", "--dir", str(self.data)],
            check=False,
            timeout=120,
            capture_output=True,
        )


class RestartablePostgres:
    """A PostgreSQL server of a test's own (external to EventLens: it is given its URL), to be
    stopped and started again on the same port and data directory, as its operator would."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir / "pg-own"
        self.url = ""

    def start(self) -> RestartablePostgres:
        from eventlens import embedded_postgres

        try:
            server = embedded_postgres.start(self.workdir)
        except Exception as error:  # pragma: no cover - depends on the machine
            unavailable("PostgreSQL", str(error))
            raise
        if self.url and server.dsn != self.url:
            pytest.fail(f"PostgreSQL came back elsewhere: {server.dsn} instead of {self.url}")
        self.url = server.dsn
        return self

    def stop(self) -> None:
        from eventlens import embedded_postgres

        embedded_postgres.stop(self.workdir)
