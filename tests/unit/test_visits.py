"""Visits: a visitor's events belong to one visit until 30 minutes pass without one."""

from __future__ import annotations

from datetime import timedelta

from eventlens.projections.enrichment import NOTHING
from eventlens.projections.event_rows import EventRow
from eventlens.projections.visits import Key, State, assign_visits

TIMEOUT = timedelta(minutes=30)


def row(event_id: str, at: str, visitor: str | None = "v1", site: str = "CAP-A") -> EventRow:
    return EventRow(
        event_id,
        "shop",
        site,
        "page_view",
        None,
        None,
        f"2026-12-07T{at}:00+00:00",
        f"2026-12-07T{at}:00+00:00",
        {},
        {},
        (visitor, *NOTHING[1:]),
    )


def test_events_less_than_30_minutes_apart_are_one_visit_named_by_its_first() -> None:
    rows = [row("e1", "10:00"), row("e2", "10:29"), row("e3", "10:58")]

    assert assign_visits(rows, {}, TIMEOUT) == ["e1", "e1", "e1"]


def test_30_minutes_without_an_event_end_the_visit() -> None:
    rows = [row("e1", "10:00"), row("e2", "10:31")]

    assert assign_visits(rows, {}, TIMEOUT) == ["e1", "e2"]


def test_a_visit_continues_across_batches_through_its_state() -> None:
    states: dict[Key, State] = {}
    assign_visits([row("e1", "10:00")], states, TIMEOUT)

    assert assign_visits([row("e2", "10:20")], states, TIMEOUT) == ["e1"]
    assert assign_visits([row("e3", "11:00")], states, TIMEOUT) == ["e3"]


def test_events_are_taken_in_the_order_recorded_and_a_late_one_joins_the_visit() -> None:
    rows = [row("first", "10:20"), row("late", "10:00")]

    assert assign_visits(rows, {}, TIMEOUT) == ["first", "first"]


def test_a_session_named_by_the_client_keys_its_visits() -> None:
    one = row("a", "10:00", None)._replace(session_id="s1")
    other = row("b", "10:01", None)._replace(session_id="s2")
    again = row("c", "10:02", None)._replace(session_id="s1")

    assert assign_visits([one, other, again], {}, TIMEOUT) == ["a", "b", "a"]


def test_an_event_older_than_the_visitors_last_one_joins_the_current_visit() -> None:
    states: dict[Key, State] = {}
    assign_visits([row("e1", "10:00"), row("e2", "11:00")], states, TIMEOUT)

    assert assign_visits([row("e1", "10:00")], states, TIMEOUT) == ["e2"]  # delivered twice


def test_visitors_and_sites_have_visits_of_their_own() -> None:
    rows = [
        row("a", "10:00", "v1"),
        row("b", "10:01", "v2"),
        row("c", "10:02", "v1", site="CAP-B"),
        row("d", "10:03", None),
    ]

    assert assign_visits(rows, {}, TIMEOUT) == ["a", "b", "c", None]
