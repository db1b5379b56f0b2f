"""Time buckets: which one `time` means for a range, and the labels of every bucket of a
range (`include.time_labels`), as Plausible writes them in the site's time zone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from eventlens.domain.stats_query.dates import TimeRange
from eventlens.domain.stats_query.errors import StatsQueryError

HOUR = timedelta(hours=1)
MAX_BUCKETS = 100_000


def granularity(time_range: TimeRange) -> str:
    """The bucket `time` stands for: hours up to two days, days up to 40, weeks up to a year."""
    span = time_range.last - time_range.first
    if span // HOUR <= 48:
        return "time:hour"
    if span.days <= 40:
        return "time:day"
    if span.days // 7 <= 52:
        return "time:week"
    return "time:month"


def hour_label(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def week_start(day: date, time_range: TimeRange) -> date:
    """A day's week (from Monday), not before the range's first day."""
    return max(day - timedelta(days=day.weekday()), time_range.first_date)


def labels(dimension: str, time_range: TimeRange) -> list[str]:
    """Every bucket's label, first to last."""
    span = time_range.last - time_range.first
    count = span // HOUR if dimension == "time:hour" else span.days
    if count > MAX_BUCKETS:
        raise StatsQueryError(
            f"The date range holds more than {MAX_BUCKETS} buckets of {dimension}: choose a "
            "shorter range or a coarser time dimension.",
            field="dimensions",
        )
    first, last = time_range.first_date, time_range.last_date
    if dimension == "time:hour":
        zone = time_range.zone
        start = time_range.first.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        end = time_range.last.astimezone(zone)
        naive, stop = start.replace(tzinfo=None), end.replace(tzinfo=None)
        found = []
        while naive <= stop:
            found.append(hour_label(naive))
            naive += HOUR
        return found
    if dimension == "time:day":
        return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
    if dimension == "time:week":
        found = []
        day = first
        while day <= last:
            label = week_start(day, time_range).isoformat()
            if label not in found:
                found.append(label)
            day += timedelta(days=1)
        return found
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month.isoformat())
        month = (month + timedelta(days=32)).replace(day=1)
    return months
