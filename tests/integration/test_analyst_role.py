"""The analyst role reads the read models, and nothing of the write side or the secrets; it
cannot write even with its read-only mode lifted, nor run past its time limit."""

from __future__ import annotations

import time

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from eventlens.analyst_role import ANALYST_ROLE, ensure_analyst_role, stop_overrunning_sessions
from eventlens.eventstore.subject_keys import KEY_SCHEMA, setup_subject_keys
from eventlens.runtime.analyst_watch import AnalystWatch

pytestmark = [pytest.mark.postgres]

PRIVATE = ("eventlens_secrets", "eventstore_log")


def as_analyst(database_url: str, password: str) -> psycopg.Connection:
    params = conninfo_to_dict(database_url)
    params.update(user=ANALYST_ROLE, password=password)
    return psycopg.connect(make_conninfo(**params), autocommit=True)


@pytest.fixture
def owned(database_url: str) -> str:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE event_logs (event_id int)")
        conn.execute("INSERT INTO event_logs VALUES (1)")
        conn.execute("CREATE TABLE eventlens_secrets (name text, value text)")
        conn.execute("CREATE TABLE eventstore_log (position int)")
    return database_url


def test_the_analyst_reads_read_models_including_later_ones_and_writes_nothing(
    owned: str,
) -> None:
    ensure_analyst_role(owned, "first-password", PRIVATE)
    with psycopg.connect(owned, autocommit=True) as conn:
        conn.execute("CREATE TABLE events_shop (event_id int)")  # a schema registered later

    with as_analyst(owned, "first-password") as analyst:
        assert analyst.execute("SELECT count(*) FROM event_logs").fetchone() == (1,)
        assert analyst.execute("SELECT count(*) FROM events_shop").fetchone() == (0,)
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            analyst.execute("INSERT INTO event_logs VALUES (2)")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            analyst.execute("CREATE TABLE mine (x int)")


@pytest.mark.parametrize("table", PRIVATE)
def test_the_analyst_cannot_read_the_write_side_or_the_secrets(owned: str, table: str) -> None:
    ensure_analyst_role(owned, "first-password", PRIVATE)

    with (
        as_analyst(owned, "first-password") as analyst,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        analyst.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table)))


@pytest.mark.parametrize("table", ["subject_keys", "lookup_secret"])
def test_the_analyst_cannot_read_the_subjects_keys_even_if_granted(owned: str, table: str) -> None:
    with psycopg.connect(owned, autocommit=True) as conn:
        setup_subject_keys(conn)
    ensure_analyst_role(owned, "first-password", PRIVATE)
    with psycopg.connect(owned, autocommit=True) as conn:  # a grant made by mistake
        conn.execute(
            sql.SQL("GRANT SELECT ON {} TO {}").format(
                sql.Identifier(KEY_SCHEMA, table), sql.Identifier(ANALYST_ROLE)
            )
        )

    with (
        as_analyst(owned, "first-password") as analyst,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        analyst.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(KEY_SCHEMA, table)))


def test_running_it_again_changes_the_password(owned: str) -> None:
    ensure_analyst_role(owned, "first-password", PRIVATE)
    ensure_analyst_role(owned, "second-password", PRIVATE)

    with as_analyst(owned, "second-password") as analyst:
        assert analyst.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError):
        as_analyst(owned, "first-password")


def test_lifting_read_only_mode_gains_the_analyst_no_write(owned: str) -> None:
    ensure_analyst_role(owned, "first-password", PRIVATE)

    with as_analyst(owned, "first-password") as analyst:
        analyst.execute("SET default_transaction_read_only = off")
        for statement in (
            "INSERT INTO event_logs VALUES (2)",
            "CREATE TABLE mine (x int)",
            "CREATE TEMPORARY TABLE scratch (x int)",
            "SELECT lo_from_bytea(0, 'a large object')",
            "SELECT lo_create(0)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                analyst.execute(statement)
        assert analyst.execute("SELECT count(*) FROM event_logs").fetchone() == (1,)


def test_a_statement_past_the_limit_is_cancelled_even_with_the_timeout_lifted(
    owned: str,
) -> None:
    ensure_analyst_role(owned, "first-password", PRIVATE)
    watch = AnalystWatch(owned, limit=1, every=0.2)
    watch.start()
    try:
        with as_analyst(owned, "first-password") as analyst:
            analyst.execute("SET statement_timeout = 0")
            started = time.monotonic()
            with pytest.raises(psycopg.errors.QueryCanceled):
                analyst.execute("SELECT pg_sleep(30)")
            assert time.monotonic() - started < 10
            assert analyst.execute("SELECT 1").fetchone() == (1,)  # the session goes on
    finally:
        watch.stop()


def test_a_transaction_left_open_past_the_limit_is_ended(owned: str) -> None:
    ensure_analyst_role(owned, "first-password", PRIVATE)
    analyst = as_analyst(owned, "first-password")
    analyst.execute("SET idle_in_transaction_session_timeout = 0")
    analyst.execute("BEGIN")
    analyst.execute("SELECT count(*) FROM event_logs")  # holds a lock on it
    time.sleep(1.5)

    with psycopg.connect(owned, autocommit=True) as owner:
        assert stop_overrunning_sessions(owner, limit=1) == 1

    with pytest.raises(psycopg.OperationalError):
        analyst.execute("SELECT 1")
    analyst.close()


def test_statements_within_the_limit_are_left_alone(owned: str) -> None:
    ensure_analyst_role(owned, "first-password", PRIVATE)

    with (
        as_analyst(owned, "first-password") as analyst,
        psycopg.connect(owned, autocommit=True) as owner,
    ):
        analyst.execute("BEGIN")
        analyst.execute("SELECT 1")
        assert stop_overrunning_sessions(owner, limit=60) == 0
        assert analyst.execute("SELECT 2").fetchone() == (2,)
