"""A PostgreSQL server for the benchmarks that need one outside `eventlens up` (Kafka mode,
the seed-design baseline): the same embedded build and configuration `eventlens up` runs."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from bench.core import RunContext
from eventlens import embedded_postgres


@dataclass(frozen=True)
class PostgresServer:
    dsn: str
    data_dir: Path

    def create_database(self, prefix: str) -> str:
        """A new, empty database on this server; returns its connection string."""
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(name))))
        return with_database(self.dsn, name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by `create_database` (disconnecting anyone still on it)."""
        name = conninfo_to_dict(url).get("dbname")
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(str(name)))
            )

    def pids(self) -> list[int]:
        return postmaster_tree(self.data_dir)

    def checkpoint(self) -> None:
        """Write out every dirty page now, as pgbench does before a run: what an earlier run
        left in the shared buffers is then not written during the next one's measurement."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute("CHECKPOINT")


def with_database(dsn: str, name: str) -> str:
    params = conninfo_to_dict(dsn)
    params["dbname"] = name
    return make_conninfo(**params)  # type: ignore[arg-type]


def postmaster_tree(data_dir: Path) -> list[int]:
    """The postmaster of the embedded server in `data_dir` and all its processes."""
    pid_file = data_dir / "postgres" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        postmaster = psutil.Process(pid)
        return [pid, *(child.pid for child in postmaster.children(recursive=True))]
    except (OSError, ValueError, IndexError, psutil.Error):
        return []


@contextlib.contextmanager
def postgres_server(ctx: RunContext) -> Iterator[PostgresServer]:
    data_dir = ctx.scratch("postgres")
    server = embedded_postgres.start(data_dir)
    try:
        yield PostgresServer(server.dsn, data_dir.resolve())
    finally:
        embedded_postgres.stop(data_dir)
