from __future__ import annotations

from eventlens.domain.event_ids import new_event_id


def test_event_ids_are_version_7_uuids_ordered_by_their_millisecond() -> None:
    earlier, later = new_event_id(1_780_000_000_000), new_event_id(1_780_000_000_001)
    assert (earlier.version, earlier.variant) == (7, "specified in RFC 4122")
    assert earlier < later
    assert int(earlier.hex[:12], 16) == 1_780_000_000_000


def test_event_ids_made_in_the_same_millisecond_differ() -> None:
    assert len({new_event_id(1_780_000_000_000) for _ in range(1000)}) == 1000
