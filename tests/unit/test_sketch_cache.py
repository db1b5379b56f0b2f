"""The sketch cache is bounded by the bytes it holds and lets go of the least recently used."""

from __future__ import annotations

from datetime import date

from eventlens.views.sketch_cache import CachedSketches, SketchCache


def test_the_cache_lets_go_of_the_least_recently_used_sketches_past_its_size() -> None:
    cache = SketchCache(max_bytes=30)
    days = [date(2026, 3, d) for d in range(1, 5)]
    for day in days[:3]:
        cache.hold((day, "s", ""), CachedSketches("1", b"x" * 5, b"y" * 5))
    cache.used((days[0], "s", ""))  # the first day was read again: the second is the oldest
    cache.hold((days[3], "s", ""), CachedSketches("1", b"x" * 5, b"y" * 5))

    assert sorted(key[0] for key in cache.between(date.min, date.max)) == [
        days[0],
        days[2],
        days[3],
    ]
    assert cache.size == 30
    cache.hold((days[3], "s", ""), CachedSketches("2", b"x", b"y"))  # a newer version replaces
    assert (len(cache), cache.size) == (3, 22)
    assert list(cache.between(days[2], days[2])) == [(days[2], "s", "")]
