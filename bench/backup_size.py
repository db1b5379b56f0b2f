"""A backup's size against the data directory it came from.

    python -m bench.backup_size [--events 200000]

An embedded data directory, as `eventlens up` makes it; the seed's site and a week of its
history (the replay benchmark's generator: 20,000 visitors, the seed's event mix) appended to
the event store; every read model built by `eventlens worker`; then `eventlens backup`. Prints
the sizes (docs/BENCHMARKS.md, "Backup size").
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from bench.core import ROOT
from bench.history import (
    History,
    eventlens_command,
    eventlens_env,
    fill_postgres,
    register_site,
    worker_process,
)
from eventlens import embedded_postgres
from eventlens.operations.backup import directory_size


def _wait_projected(database_url: str, events: int, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(database_url) as conn:
            try:
                row = conn.execute("SELECT count(*) FROM event_logs").fetchone()
            except psycopg.errors.UndefinedTable:
                row = (0,)
        if row == (events,):
            return
        time.sleep(1)
    raise TimeoutError(f"the worker did not project {events:,} events")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="eventlens-backup-size-"))
    data = scratch / "data"
    try:
        server = embedded_postgres.start(data)
        container_id = register_site(server.dsn)
        fill_postgres(server.dsn, args.events, container_id, History())
        with worker_process(server.dsn, scratch):
            _wait_projected(server.dsn, args.events)
        with psycopg.connect(server.dsn, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
            row = conn.execute(
                "SELECT pg_database_size(current_database()), "
                "pg_total_relation_size('eventstore_log')"
            ).fetchone()
        assert row is not None
        database, log = row
        env = {k: v for k, v in eventlens_env("").items() if k != "EVENTLENS_DATABASE_URL"}
        started = time.monotonic()
        subprocess.run(
            eventlens_command("backup", str(scratch / "backup"), data_dir=data),
            cwd=ROOT,
            env=env,
            check=True,
        )
        took = time.monotonic() - started
        backup = directory_size(scratch / "backup")
        full = directory_size(data)
        wal = directory_size(data / "postgres" / "pg_wal")
        print(f"events:                         {args.events:,}")
        print(f"data directory:                 {full / 1e6:,.1f} MB")
        print(f"  database (read models, log):  {database / 1e6:,.1f} MB")
        print(f"    event store log (table+index): {log / 1e6:,.1f} MB")
        print(f"  write-ahead log (pg_wal):     {wal / 1e6:,.1f} MB")
        print(
            f"backup:                         {backup / 1e6:,.1f} MB ({backup / full:.1%} of the "
            f"data directory, {backup / database:.1%} of the database), written in {took:.1f} s"
        )
    finally:
        embedded_postgres.stop(data)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
