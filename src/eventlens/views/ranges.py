"""Time ranges of the read side: moments in UTC, whole units, and a range cut into the
pieces of the coarsest rollup that fits each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from eventlens.domain.errors import InvalidInput

# Moments a query may name. Far enough inside datetime's own limits (years 1 to 9999) that
# widening a range to whole days, or a default of a week before its end, cannot overflow.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)
STEPS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
MAX_DAYS = 3660


def check_moment(moment: datetime | None, name: str) -> None:
    if moment is None:
        return
    if not EARLIEST <= as_utc(moment) < LATEST:
        raise InvalidInput(f"{name} must be between the years 1900 and 9000", field=name)


def as_utc(moment: datetime) -> datetime:
    """A query's moment in UTC. One without an offset is UTC, as events' times are, whatever
    the server's own time zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def floor(moment: datetime, unit: str) -> datetime:
    moment = as_utc(moment)
    if unit == "minute":
        return moment.replace(second=0, microsecond=0)
    if unit == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def ceil(moment: datetime, unit: str) -> datetime:
    floored = floor(moment, unit)
    if floored == as_utc(moment):
        return floored
    return floored + STEPS[unit]


@dataclass(frozen=True)
class StatsFilter:
    start: datetime
    end: datetime
    schema_id: str | None = None
    container_id: str | None = None
    event_type: str | None = None

    @classmethod
    def last(cls, span: timedelta, **filters: Any) -> StatsFilter:
        """The `span` up to now, in whole minutes (the current minute included)."""
        end = floor(datetime.now(UTC), "minute") + timedelta(minutes=1)
        return cls(start=end - span, end=end, **filters)

    @property
    def days(self) -> tuple[date, date]:
        """The first and last day the range touches."""
        return floor(self.start, "day").date(), (
            ceil(self.end, "minute") - timedelta(microseconds=1)
        ).date()


def stats_filter(
    days: int | None,
    start: datetime | None,
    end: datetime | None,
    schema_id: str | None,
    adaptor_id: str | None,
    event_type: str | None = None,
    hours: int | None = None,
) -> StatsFilter:
    """A relative range (the last `days` or `hours`, default 7 days) or `start`..`end`, as
    REST's query parameters and GraphQL's `StatsInput` name them."""
    filters = {"schema_id": schema_id, "container_id": adaptor_id, "event_type": event_type}
    if days is not None and hours is not None:
        raise InvalidInput("give either days or hours, not both", field="hours")
    for name, value, most in (("days", days, MAX_DAYS), ("hours", hours, MAX_DAYS * 24)):
        if value is not None and not 1 <= value <= most:
            raise InvalidInput(f"{name} must be between 1 and {most}", field=name)
    if start is None and end is None:
        if hours is not None:
            return StatsFilter.last(timedelta(hours=hours), **filters)
        return StatsFilter.last(timedelta(days=days or 7), **filters)
    if days is not None or hours is not None:
        raise InvalidInput("give either days/hours or start/end, not both", field="days")
    check_moment(start, "start")
    check_moment(end, "end")
    end = as_utc(end or datetime.now(UTC))
    start = as_utc(start or end - timedelta(days=7))
    if end <= start:
        raise InvalidInput("end must be after start", field="end")
    if end - start > timedelta(days=MAX_DAYS):
        raise InvalidInput("a range may span at most ten years", field="start")
    return StatsFilter(start=start, end=end, **filters)


def split_range(start: datetime, end: datetime) -> list[tuple[str, datetime, datetime]]:
    """[start, end) as pieces (table, from, to) of the coarsest rollup that fits each piece."""
    start, end = floor(start, "minute"), ceil(end, "minute")
    if end <= start:
        return []
    pieces: list[tuple[str, datetime, datetime]] = []
    hour_start, hour_end = ceil(start, "hour"), floor(end, "hour")
    if hour_start >= hour_end:
        return [("stats_minutely", start, end)]
    day_start, day_end = ceil(hour_start, "day"), floor(hour_end, "day")
    pieces.append(("stats_minutely", start, hour_start))
    if day_start >= day_end:
        pieces.append(("stats_hourly", hour_start, hour_end))
    else:
        pieces += [
            ("stats_hourly", hour_start, day_start),
            ("stats_daily", day_start, day_end),
            ("stats_hourly", day_end, hour_end),
        ]
    pieces.append(("stats_minutely", hour_end, end))
    return [p for p in pieces if p[1] < p[2]]
