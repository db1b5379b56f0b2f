"""What the Stats API's rollups change, computed in Python: a visit over is added to its rows
(counts, its visitor, page views by the day they were made), a visit continued after it was
rolled up is taken back out; sketches that tell an exact set from an estimate; adaptors'
zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from eventlens.projections.distinct_count import SPARSE_LIMIT, Sketch, hash64
from eventlens.projections.local_days import minute_day
from eventlens.projections.rollup_sites import AdaptorZone, adaptor_zone
from eventlens.projections.rollup_writes import with_visitors
from eventlens.projections.visit_rollups import DIMENSIONS, VisitState, changes

SITE = "CAP-SHOP01"
DAY = date(2026, 11, 2)
NOON = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
UTC_ZONES = {SITE: "UTC"}


def visit(
    minutes: int = 0,
    pageviews: int = 1,
    interactive: int = 0,
    exit_page: str = "/",
    started: datetime = NOON,
    visitor: str = "v1",
    last_day_pageviews: int | None = None,
) -> VisitState:
    attributes: dict[str, str | None] = dict.fromkeys(DIMENSIONS[1:])
    attributes.update(source="Google", device="Mobile", entry_page="/", exit_page=exit_page)
    return VisitState(
        SITE,
        "visit-1",
        visitor,
        started,
        started + timedelta(minutes=minutes),
        pageviews,
        interactive,
        pageviews if last_day_pageviews is None else last_day_pageviews,
        tuple(attributes.values()),
    )


def row(dimension: str, value: str, day: date = DAY, start_day: date = DAY) -> tuple:  # type: ignore[type-arg]
    return (SITE, dimension, day, value, start_day)


def test_a_visit_over_counts_once_in_its_sites_totals_and_under_each_attribute() -> None:
    found = changes([visit(minutes=3, pageviews=2, exit_page="/pricing")], [], UTC_ZONES)

    assert found.counts[row("", "")] == [1, 0, 180, 2, 2]
    assert found.counts[row("source", "Google")] == [1, 0, 180, 2, 2]
    assert found.counts[row("exit_page", "/pricing")] == [1, 0, 180, 2, 0]
    assert found.counts[row("utm_campaign", "")] == [1, 0, 180, 2, 2]
    assert len(found.counts) == len(DIMENSIONS)
    assert found.visitors[row("device", "Mobile")] == {hash64("v1")}


def test_a_visit_continued_after_it_was_rolled_up_is_taken_out_as_it_was() -> None:
    rolled = visit(pageviews=1, exit_page="/")  # a bounce, so far
    over = visit(minutes=5, pageviews=2, exit_page="/pricing")

    found = changes([over], [rolled], UTC_ZONES)

    assert found.counts[row("", "")] == [0, -1, 300, 1, 1]
    assert found.counts[row("exit_page", "/")] == [-1, -1, 0, -1, 0]
    assert found.counts[row("exit_page", "/pricing")] == [1, 0, 300, 2, 0]
    assert row("exit_page", "/") not in found.visitors  # a visitor is never taken out


def test_an_exit_page_keeps_its_visitors_once_the_visit_is_over() -> None:
    found = changes([visit(exit_page="/pricing")], [], UTC_ZONES)

    assert found.visitors[row("exit_page", "/pricing")] == {hash64("v1")}
    assert found.counts[row("exit_page", "/pricing")][4] == 0  # page views are not an exit's


def test_a_visit_across_midnight_is_kept_by_its_last_and_first_days() -> None:
    late = datetime(2026, 11, 2, 23, 50, tzinfo=UTC)
    rolled = visit(started=late, minutes=5)
    over = visit(started=late, minutes=20, pageviews=2, last_day_pageviews=1)
    next_day = DAY + timedelta(days=1)

    found = changes([over], [rolled], UTC_ZONES)

    assert found.counts[row("", "", DAY, DAY)] == [-1, -1, -300, -1, 0]
    assert found.counts[row("", "", next_day, DAY)] == [1, 0, 1200, 2, 1]
    assert found.visitors[row("", "", next_day, DAY)] == {hash64("v1")}


def test_page_views_count_on_the_day_they_were_made_under_the_visits_attributes() -> None:
    late = datetime(2026, 11, 2, 23, 50, tzinfo=UTC)
    next_day = DAY + timedelta(days=1)

    found = changes(
        [visit(started=late, minutes=20, pageviews=3, last_day_pageviews=2)], [], UTC_ZONES
    )

    assert found.counts[row("source", "Google", DAY, DAY)] == [0, 0, 0, 0, 1]
    assert found.counts[row("source", "Google", next_day, DAY)] == [1, 0, 1200, 3, 2]
    assert row("exit_page", "/", DAY, DAY) not in found.counts


def test_days_are_the_sites_own() -> None:
    found = changes(
        [visit(started=datetime(2026, 11, 2, 18, 20, tzinfo=UTC))], [], {SITE: "Asia/Kathmandu"}
    )

    tomorrow = DAY + timedelta(days=1)
    assert row("", "", tomorrow, tomorrow) in found.counts  # 00:05 in Kathmandu
    assert minute_day("2026-11-02T18:14", "Asia/Kathmandu") == DAY
    assert minute_day("2026-11-02T18:15", "Asia/Kathmandu") == tomorrow


def test_records_come_in_key_order() -> None:
    found = changes([visit()], [], UTC_ZONES)

    keys = [(r["dimension"], r["value"]) for r in found.records()]
    assert keys == sorted(keys)


def test_a_sketch_counts_exactly_up_to_its_sparse_limit_and_says_so() -> None:
    small, count = with_visitors(b"", range(SPARSE_LIMIT))
    dense, dense_count = with_visitors(small, [hash64(str(n)) for n in range(SPARSE_LIMIT + 1)])

    assert count == SPARSE_LIMIT
    assert Sketch.decode(small).hashes is not None
    assert Sketch.decode(dense).hashes is None
    assert dense_count > SPARSE_LIMIT
    assert with_visitors(small, [1, 2]) == (small, SPARSE_LIMIT)  # already there: no change


def test_an_adaptors_zone_comes_from_its_creation_or_update() -> None:
    created = {
        "originator_id": "a1",
        "topic": "eventlens.domain.adaptor:Adaptor.Created",
        "state": {"container_id": SITE, "timezone": "Asia/Kathmandu"},
    }
    updated = {"originator_id": "a1", "topic": "x:Adaptor.Updated", "state": {}}
    schema = {"originator_id": "s1", "topic": "x:Schema.Registered", "state": {"name": "shop"}}

    assert adaptor_zone(created) == AdaptorZone("a1", SITE, "Asia/Kathmandu")
    assert adaptor_zone(updated) == AdaptorZone("a1", None, "UTC")  # recorded before zones
    assert adaptor_zone(schema) is None


def test_a_merged_sketch_is_stored_as_the_sketch_of_its_hashes_would_be() -> None:
    hashes = {hash64(str(n)) for n in range(40)}
    sketch = Sketch()
    sketch.add_hashes(hashes)

    merged, count = with_visitors(with_visitors(b"", set(list(hashes)[:25]))[0], hashes)

    assert (merged, count) == (sketch.encode(), 40)
