"""Moments in queries: one without an offset is UTC, as the events' times are, whatever the
server's own time zone."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from eventlens import views
from eventlens.views.ranges import stats_filter


@pytest.fixture
def server_in_tokyo() -> Iterator[None]:
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    try:
        yield
    finally:
        if previous is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = previous
        time.tzset()


@pytest.mark.usefixtures("server_in_tokyo")
def test_a_stats_range_without_offsets_is_read_as_utc() -> None:
    f = stats_filter(None, datetime(2024, 6, 1), datetime(2024, 6, 2), None, None)

    assert (f.start, f.end) == (datetime(2024, 6, 1, tzinfo=UTC), datetime(2024, 6, 2, tzinfo=UTC))


@pytest.mark.usefixtures("server_in_tokyo")
def test_an_event_filter_without_offsets_is_read_as_utc() -> None:
    f = views.EventFilter(start=datetime(2024, 6, 1), end=datetime(2024, 6, 1, 12))

    assert (f.start, f.end) == (
        datetime(2024, 6, 1, tzinfo=UTC),
        datetime(2024, 6, 1, 12, tzinfo=UTC),
    )
