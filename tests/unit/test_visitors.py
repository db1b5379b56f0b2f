"""Cookieless visitors: a keyed hash of the day's salt, the site, the address and the
User-Agent; salts that change at midnight UTC and are deleted 48 hours after their day began."""

from __future__ import annotations

from datetime import date

from eventlens.domain.visitors import Location, Requester, salt_days, salt_expired, visitor_id

SALT_MONDAY, SALT_TUESDAY = b"m" * 32, b"t" * 32
CHROME = "Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36"


def test_one_visitor_on_one_day_is_one_id() -> None:
    first = visitor_id(SALT_MONDAY, "CAP-AAAAAA", "198.51.100.7", CHROME)
    again = visitor_id(SALT_MONDAY, "CAP-AAAAAA", "198.51.100.7", CHROME)

    assert first == again
    assert len(first) == 16 and int(first, 16) >= 0


def test_a_visitor_seen_before_and_after_midnight_is_two_visitors() -> None:
    before = visitor_id(SALT_MONDAY, "CAP-AAAAAA", "198.51.100.7", CHROME)
    after = visitor_id(SALT_TUESDAY, "CAP-AAAAAA", "198.51.100.7", CHROME)

    assert before != after


def test_the_same_person_on_two_sites_is_two_visitors() -> None:
    one = visitor_id(SALT_MONDAY, "CAP-AAAAAA", "198.51.100.7", CHROME)
    other = visitor_id(SALT_MONDAY, "CAP-BBBBBB", "198.51.100.7", CHROME)

    assert one != other


def test_another_address_or_browser_is_another_visitor() -> None:
    base = visitor_id(SALT_MONDAY, "CAP-AAAAAA", "198.51.100.7", CHROME)

    assert visitor_id(SALT_MONDAY, "CAP-AAAAAA", "198.51.100.8", CHROME) != base
    assert visitor_id(SALT_MONDAY, "CAP-AAAAAA", "198.51.100.7", "Firefox/133.0") != base


def test_the_parts_cannot_run_together() -> None:
    assert visitor_id(SALT_MONDAY, "CAP-A", "1.2.3.4", "x") != visitor_id(
        SALT_MONDAY, "CAP-A1", ".2.3.4", "x"
    )


def test_the_id_does_not_contain_the_address() -> None:
    assert "198.51.100.7" not in visitor_id(SALT_MONDAY, "CAP-A", "198.51.100.7", CHROME)


def test_a_requester_records_its_user_agent_and_place_but_never_its_address() -> None:
    london = Location("GB", "England", "London")
    requester = Requester("198.51.100.7", CHROME, SALT_MONDAY, london)

    context = requester.context("CAP-AAAAAA")

    assert context.visitor_id == visitor_id(SALT_MONDAY, "CAP-AAAAAA", "198.51.100.7", CHROME)
    assert (context.user_agent, context.location) == (CHROME, london)
    assert "198.51.100.7" not in repr(context)


def test_without_a_salt_there_is_no_visitor_id() -> None:
    assert Requester("198.51.100.7", CHROME, None, None).context("CAP-A").visitor_id is None


def test_yesterdays_todays_and_tomorrows_salts_exist() -> None:
    assert salt_days(date(2026, 3, 1)) == (date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2))


def test_a_salt_is_deleted_48_hours_after_its_day_began() -> None:
    monday = date(2026, 12, 7)

    assert not salt_expired(monday, date(2026, 12, 7))  # today's
    assert not salt_expired(monday, date(2026, 12, 8))  # yesterday's: kept a day more
    assert salt_expired(monday, date(2026, 12, 9))  # 48 hours after Monday 00:00 UTC
