"""Rebuild read models from the full history without taking them offline.

`replay(projection)` builds fresh copies of the projection's tables in a schema of their own
(`eventlens_replay_<name>`) from position zero while the live tables keep serving. Once the
copy has caught up, it takes the projection's lock exclusively (live workers finish their
batch and wait), catches up the last events, and in one transaction moves the live tables
aside and the new ones into `public` and hands the new positions to the live workers. Queries
wait for the swap's few milliseconds instead of failing, and never see a half-built table.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

import psycopg
from psycopg import sql

from eventlens.eventstore.port import EventReader
from eventlens.projections import positions
from eventlens.projections.projection import Projection
from eventlens.projections.worker import ProjectionWorker, lock_key

ReaderFactory = Callable[[Callable[[], dict[str, int]]], EventReader]
Total = Callable[[], int]
JOIN_TIMEOUT = 60.0  # seconds a replay waits for its first events
SWAP_ATTEMPTS = 100
LOCK_TIMEOUT_MS = 200  # below PostgreSQL's default deadlock_timeout of 1 s


@dataclass
class Progress:
    projection: str
    done: int
    total: int
    started: float

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        rate = self.rate
        return max(0.0, (self.total - self.done) / rate) if rate > 0 else None


class ProgressReporter:
    """A progress bar on a terminal, plain lines otherwise (logs, CI)."""

    def __init__(self, stream: TextIO = sys.stderr, interval: float = 2.0) -> None:
        self._stream = stream
        self._tty = stream.isatty()
        self._interval = 0.1 if self._tty else interval
        self._last = 0.0
        self._previous = ""

    def __call__(self, progress: Progress, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self._last < self._interval:
            return
        self._last = now
        total = max(progress.total, progress.done)
        share = progress.done / total if total else 1.0  # nothing to replay: done
        eta = "0s" if share == 1.0 else f"{progress.eta:.0f}s" if progress.eta is not None else "?"
        text = (
            f"{progress.projection}: {progress.done:,}/{total:,} events "
            f"({share:.0%}) {progress.rate:,.0f} ev/s ETA {eta}"
        )
        if text == self._previous and not (final and self._tty):
            return  # nothing moved since the last line
        self._previous = text
        if self._tty:
            bar = "#" * int(share * 30)
            self._stream.write(f"\r[{bar:<30}] {text}" + ("\n" if final else ""))
        else:
            self._stream.write(text + "\n")
        self._stream.flush()


def replay_schema(projection: str) -> str:
    return f"eventlens_replay_{projection}"


def replay(
    conninfo: str,
    projection: Projection[Any],
    reader_factory: ReaderFactory,
    total_events: Total,
    report: Callable[[Progress, bool], None] | None = None,
    batch_size: int = 5000,
) -> Progress:
    name, build = projection.name, replay_schema(projection.name)
    replay_name = f"{name}@replay"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(positions.DDL)
        # Also what a replay killed between its swap and its clean-up left behind.
        for leftover in (build, f"{build}_retired"):
            conn.execute(
                sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(leftover))
            )
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(build)))
        conn.execute(
            "DELETE FROM public.projection_positions WHERE projection = %s", (replay_name,)
        )
    worker = ProjectionWorker(
        conninfo,
        projection,
        reader_factory,
        batch_size,
        name=replay_name,
        search_path=build,
        live=False,
    )
    progress = Progress(name, 0, total_events(), time.monotonic())
    _record(conninfo, progress, "running")
    with worker.running() as step:
        _drop_indexes(conninfo, build, projection.bulk_load_indexes)
        _drain(
            step, lambda: worker.applied_events, progress, conninfo, report, until=total_events()
        )
        worker.setup()  # builds the indexes dropped above, each in one pass over the rows
        _vacuum(conninfo, build)
        with psycopg.connect(conninfo) as swap:
            for attempt in range(SWAP_ATTEMPTS):
                try:
                    swap.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(name),))
                    # The events that came meanwhile, up to those recorded by now: live
                    # projections wait for this lock, ingest does not.
                    _drain(
                        step,
                        lambda: worker.applied_events,
                        progress,
                        conninfo,
                        report,
                        until=total_events(),
                    )
                    _swap(swap, name, replay_name, build)
                    swap.commit()
                    break
                except psycopg.errors.LockNotAvailable:
                    # A query held a table the swap needed: give way, never fail the query.
                    swap.rollback()
                    time.sleep(random.uniform(0.02, 0.2) * (1 + attempt % 5))  # noqa: S311 - jitter
            else:
                raise RuntimeError(f"{name}: could not swap in the rebuilt tables; try again")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(f"{build}_retired"))
        )
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(build)))
    progress.total = progress.done
    _record(conninfo, progress, "finished")
    if report is not None:
        report(progress, True)
    return progress


def _drain(
    step: Callable[[], int],
    counted: Callable[[], int],
    progress: Progress,
    conninfo: str,
    report: Callable[[Progress, bool], None] | None,
    until: int,
) -> None:
    """Apply batches until `until` events are applied (the events recorded when the drain
    began, as `counted` counts them: catalog changes are not events), or until one comes
    back empty (the reader waited and found nothing).

    The count, not only a quiet moment, ends it: under steady traffic no batch comes back
    empty. (In Kafka mode a topic may count offsets that hold no event, so the quiet moment
    stays the other way out.)
    """
    started = last_record = time.monotonic()
    while True:
        applied = step()
        progress.done = counted()
        if report is not None:
            report(progress, False)
        if time.monotonic() - last_record > 1.0:
            _record(conninfo, progress, "running")
            last_record = time.monotonic()
        if progress.done >= until:
            return
        if applied == 0:
            if progress.done == 0 and until > 0:
                # Events exist but none came yet: a Kafka reader is still joining its group
                # (seconds on a broker with the default rebalance delay). Not a quiet moment.
                if time.monotonic() - started > JOIN_TIMEOUT:
                    raise RuntimeError(
                        f"{progress.projection}: no event read in {JOIN_TIMEOUT:.0f} s although "
                        f"{until:,} are recorded; is the event store reachable?"
                    )
                continue
            return


def _drop_indexes(conninfo: str, build: str, names: Sequence[str]) -> None:
    """Secondary indexes are built once, after the history is loaded: sorting a million rows
    once costs far less than a million index insertions."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for index in names:
            conn.execute(
                sql.SQL("DROP INDEX IF EXISTS {}.{}").format(
                    sql.Identifier(build), sql.Identifier(index)
                )
            )


def _vacuum(conninfo: str, build: str) -> None:
    """Vacuum and analyze the rebuilt tables before they go live: queries get statistics
    (and index-only scans) at once, and autovacuum, whose lock the swap would otherwise wait
    for, has nothing left to do on them."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.relkind FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind IN ('r', 'p') ORDER BY c.relname",
            (build,),
        ).fetchall()
        for table, kind in rows:
            command = "VACUUM (ANALYZE) {}.{}" if kind == "r" else "ANALYZE {}.{}"
            conn.execute(sql.SQL(command).format(sql.Identifier(build), sql.Identifier(table)))


def _tables(conn: psycopg.Connection, schema: str) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename", (schema,)
    ).fetchall()
    return [row[0] for row in rows]


def _swap(conn: psycopg.Connection, name: str, replay_name: str, build: str) -> None:
    """Move the live tables aside and the rebuilt ones in, in the caller's transaction.

    All tables are locked first with a short lock timeout, shorter than PostgreSQL's deadlock
    timeout, so that when a query holds one of them the swap is the one that gives way.
    """
    retired = f"{build}_retired"
    tables = _tables(conn, build)
    live = [t for t in tables if t in set(_tables(conn, "public"))]
    conn.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
    conn.execute(
        sql.SQL("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE").format(
            sql.SQL(", ").join(
                [sql.Identifier("public", t) for t in live]
                + [sql.Identifier(build, t) for t in tables]
            )
        )
    )
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(retired)))
    for table in tables:
        if table in live:
            conn.execute(
                sql.SQL("ALTER TABLE public.{} SET SCHEMA {}").format(
                    sql.Identifier(table), sql.Identifier(retired)
                )
            )
        conn.execute(
            sql.SQL("ALTER TABLE {}.{} SET SCHEMA public").format(
                sql.Identifier(build), sql.Identifier(table)
            )
        )
    conn.execute("DELETE FROM public.projection_positions WHERE projection = %s", (name,))
    conn.execute(
        "UPDATE public.projection_positions SET projection = %s WHERE projection = %s",
        (name, replay_name),
    )


def _record(conninfo: str, progress: Progress, state: str) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO public.replay_runs (projection, state, events_done, events_total, rate, "
            "eta_seconds, started_at, finished_at, updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, now() - make_interval(secs => %s), "
            "CASE WHEN %s = 'finished' THEN now() END, now()) "
            "ON CONFLICT (projection) DO UPDATE SET state = excluded.state, "
            "events_done = excluded.events_done, events_total = excluded.events_total, "
            "rate = excluded.rate, eta_seconds = excluded.eta_seconds, "
            "started_at = CASE WHEN excluded.state = 'running' AND replay_runs.state <> 'running' "
            "THEN excluded.started_at ELSE replay_runs.started_at END, "
            "finished_at = excluded.finished_at, updated_at = now()",
            (
                progress.projection,
                state,
                progress.done,
                max(progress.total, progress.done),
                progress.rate,
                progress.eta,
                time.monotonic() - progress.started,
                state,
            ),
        )
