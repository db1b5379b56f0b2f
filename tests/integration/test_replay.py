"""Replay rebuilds read models identical row for row, while queries keep answering."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.tracking import Reason, RejectedEvent, RejectionCode
from eventlens.projections.projection import counted_streams
from eventlens.projections.replay import replay
from eventlens.runtime.wiring import make_head_probe, projections, reader_factory
from eventlens.runtime.workers import Workers
from tests.integration.backends import Backend, tracked

pytestmark = [pytest.mark.postgres]
READ_MODELS = (
    "event_logs",
    "events_portfolio_events",
    "stats_minutely",
    "stats_hourly",
    "stats_daily",
    "stats_daily_uniques",
    "stats_daily_dimensions",
    "rejected_events",
    "schemas",
    "schema_versions",
    "adaptors",
    "users",
)
TOTAL = 1500


def snapshot(url: str) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    with psycopg.connect(url) as conn:
        tables = {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3, 4").fetchall()
            for table in READ_MODELS
        }
        # The indexes too: a replay builds some of them only after loading the history.
        tables["indexes"] = conn.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"
        ).fetchall()
        return tables


def wait_for_total(url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with psycopg.connect(url) as conn:
            try:
                done = conn.execute("SELECT count(*) FROM event_logs").fetchone()
                rejected = conn.execute("SELECT count(*) FROM rejected_events").fetchone()
            except psycopg.errors.UndefinedTable:
                done = rejected = (0,)
        if done == (TOTAL,) and rejected == (10,):
            return
        time.sleep(0.2)
    raise AssertionError("projections did not catch up")


def test_replay_rebuilds_identical_read_models_while_stats_keep_answering(backend: Backend) -> None:
    register_schema(
        RegisterSchema(SYSTEM, "portfolio_events", "Portfolio", {"page_view": {}, "click": {}}),
        backend.catalog,
    )
    backend.relay_catalog()
    events = [
        tracked(
            session=f"s{i % 30}",
            event_type="page_view" if i % 4 else "click",
            page_path=f"/{i % 7}",
        )
        for i in range(TOTAL)
    ]
    bad = [
        RejectedEvent(tracked(event_type="nope"), (Reason(RejectionCode.UNKNOWN_EVENT_TYPE, "no"),))
        for _ in range(10)
    ]
    live = Workers(backend.settings, backend.database_url)
    live.start()
    try:
        with backend.running_store() as store:
            store.append(events)
            store.call(lambda: store.store.append_rejected(bad))
        wait_for_total(backend.database_url)
        before = snapshot(backend.database_url)

        answers: list[object] = []
        stop = threading.Event()

        def query_continuously() -> None:
            with psycopg.connect(backend.database_url, autocommit=True) as conn:
                while not stop.is_set():
                    try:
                        answers.append(
                            conn.execute(
                                "SELECT (SELECT sum(events) FROM stats_daily), "
                                "(SELECT count(*) FROM event_logs)"
                            ).fetchone()
                        )
                    except Exception as error:  # any failure is a finding
                        answers.append(error)

        reader = threading.Thread(target=query_continuously)
        reader.start()
        done: dict[str, int] = {}
        probe = make_head_probe(backend.settings, backend.database_url)
        try:
            for projection in projections(backend.catalog):
                done[projection.name] = replay(
                    backend.database_url,
                    projection,
                    reader_factory(
                        backend.settings,
                        backend.database_url,
                        projection,
                        backend.catalog,
                        f"{projection.name}-replay",
                    ),
                    lambda p=projection: probe.totals(counted_streams(p.streams)),
                ).done
        finally:
            stop.set()
            reader.join()

        # Live workers keep going after the swap without counting anything twice.
        with backend.running_store() as store:
            store.append([tracked(session="late")])
        time.sleep(2)
        after = snapshot(backend.database_url)
    finally:
        live.close()

    assert answers, "the concurrent reader never got an answer"
    assert {a for a in answers} == {(TOTAL, TOTAL)}, [a for a in answers if a != (TOTAL, TOTAL)][:3]
    # What the user has: their events (the catalog's changes are not counted as events).
    assert (done["events"], done["rejected_events"]) == (TOTAL, len(bad))
    late = [row for row in after["event_logs"] if row[5] == "late"]
    assert len(late) == 1
    after["event_logs"] = [row for row in after["event_logs"] if row[5] != "late"]
    assert after["event_logs"] == before["event_logs"]
    assert after["rejected_events"] == before["rejected_events"]
    assert after["schemas"] == before["schemas"]
    assert after["schema_versions"] == before["schema_versions"]
    assert after["indexes"] == before["indexes"]
    assert sum(r[4] for r in after["stats_daily"]) == TOTAL + 1
    with psycopg.connect(backend.database_url) as conn:
        states = conn.execute("SELECT projection, state FROM replay_runs ORDER BY 1").fetchall()
        leftovers = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'eventlens_replay%'"
        ).fetchall()
    assert states == sorted((p.name, "finished") for p in projections(backend.catalog))
    assert leftovers == []


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_replay_finishes_while_events_keep_arriving_and_counts_each_once(
    backend: Backend,
) -> None:
    register_schema(
        RegisterSchema(SYSTEM, "portfolio_events", "Portfolio", {"page_view": {}}),
        backend.catalog,
    )
    [events_projection] = [p for p in projections(backend.catalog) if p.name == "events"]
    live = Workers(backend.settings, backend.database_url)
    live.start()
    sent = 0
    stop = threading.Event()
    try:
        with backend.running_store() as store:
            store.append([tracked(session=f"s{i}") for i in range(TOTAL)])
            sent += TOTAL

            def trickle() -> None:  # never a quiet half second
                nonlocal sent
                while not stop.is_set():
                    store.append([tracked(session="trickle")])
                    sent += 1
                    time.sleep(0.05)

            sender = threading.Thread(target=trickle)
            sender.start()
            probe = make_head_probe(backend.settings, backend.database_url)
            finished = threading.Event()

            def run_replay() -> None:
                replay(
                    backend.database_url,
                    events_projection,
                    reader_factory(
                        backend.settings,
                        backend.database_url,
                        events_projection,
                        backend.catalog,
                        "events-replay",
                    ),
                    lambda: probe.totals(counted_streams(events_projection.streams)),
                )
                finished.set()

            replaying = threading.Thread(target=run_replay, daemon=True)
            replaying.start()
            replaying.join(timeout=120)
            stop.set()
            sender.join()
        assert finished.is_set(), "the replay never finished under a steady trickle"

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with psycopg.connect(backend.database_url) as conn:
                row = conn.execute("SELECT count(*), count(DISTINCT event_id) FROM event_logs")
                counted = row.fetchone()
            if counted == (sent, sent):
                break
            time.sleep(0.2)
        assert counted == (sent, sent)
    finally:
        stop.set()
        live.close()
