"""The daily salts in PostgreSQL: made a day ahead, shared by every process, deleted 48 hours
after their day began."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest

from eventlens.runtime.visitors import SALT_BYTES, rotate_salts

pytestmark = [pytest.mark.postgres]

MONDAY, TUESDAY, WEDNESDAY, THURSDAY = (date(2026, 12, d) for d in (7, 8, 9, 10))


def stored(database_url: str) -> dict[date, bytes]:
    with psycopg.connect(database_url) as conn:
        return {
            day: bytes(salt) for day, salt in conn.execute("SELECT day, salt FROM visitor_salts")
        }


def test_yesterdays_todays_and_tomorrows_salts_exist_random_and_distinct(database_url: str) -> None:
    salts = rotate_salts(database_url, TUESDAY)

    assert sorted(salts) == [MONDAY, TUESDAY, WEDNESDAY]
    assert all(len(salt) == SALT_BYTES for salt in salts.values())
    assert len(set(salts.values())) == 3
    assert stored(database_url) == salts


def test_every_process_gets_the_same_salts(database_url: str) -> None:
    assert rotate_salts(database_url, TUESDAY) == rotate_salts(database_url, TUESDAY)


def test_tomorrows_salt_made_ahead_is_the_one_used_tomorrow(database_url: str) -> None:
    made_ahead = rotate_salts(database_url, TUESDAY)[WEDNESDAY]

    assert rotate_salts(database_url, WEDNESDAY)[WEDNESDAY] == made_ahead


def test_a_salt_is_deleted_48_hours_after_its_day_began(database_url: str) -> None:
    monday = rotate_salts(database_url, MONDAY)[MONDAY]

    on_tuesday = rotate_salts(database_url, TUESDAY)
    on_wednesday = rotate_salts(database_url, WEDNESDAY)

    assert on_tuesday[MONDAY] == monday  # yesterday's is kept one more day
    assert MONDAY not in on_wednesday
    assert monday not in stored(database_url).values()
    assert sorted(rotate_salts(database_url, THURSDAY)) == [WEDNESDAY, THURSDAY, date(2026, 12, 11)]
