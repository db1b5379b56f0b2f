"""`date_range`: a shorthand (`day`, `7d`, `month`, `all`...) or two ISO dates or date-times,
resolved in the site's time zone to the moments [first, last] (last inclusive, to the second),
as Plausible resolves them; and the comparison periods."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from eventlens.domain.stats_query.errors import StatsQueryError, schema_error, shown

SHORTHANDS = ("day", "7d", "28d", "30d", "91d", "month", "6mo", "12mo", "year", "all")
# RFC 3339 date-times: a date, `T` (or a space), a time, and an offset that must be given.
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?P<offset>Z|[+-](?P<h>\d{2}):\d{2})?",
    re.IGNORECASE,
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ONE_SECOND = timedelta(seconds=1)
# Dates a range may name: far enough inside datetime's own (years 1 to 9999) that a time zone
# or a comparison period a year back cannot leave it.
EARLIEST_YEAR, LATEST_YEAR = 1900, 9000


@dataclass(frozen=True)
class DateRangeSpec:
    """What `date_range` asked for: a shorthand, two dates, or two moments."""

    shorthand: str | None = None
    dates: tuple[date, date] | None = None
    moments: tuple[datetime, datetime] | None = None


@dataclass(frozen=True)
class TimeRange:
    """[first, last] in UTC, `last` inclusive to the second; `timezone` is the site's."""

    first: datetime
    last: datetime
    timezone: str

    @property
    def end(self) -> datetime:
        """The exclusive end: a second after `last`."""
        return self.last + ONE_SECOND

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def first_date(self) -> date:
        return self.first.astimezone(self.zone).date()

    @property
    def last_date(self) -> date:
        return self.last.astimezone(self.zone).date()

    def echoed(self) -> list[str]:
        """The range as the response's `query.date_range` shows it: in the site's zone."""
        return [
            self.first.astimezone(self.zone).isoformat(),
            self.last.astimezone(self.zone).isoformat(),
        ]


def parse_date_range(raw: object) -> DateRangeSpec:
    if isinstance(raw, str):
        if raw in SHORTHANDS:
            return DateRangeSpec(shorthand=raw)
        raise _invalid(raw)
    if not isinstance(raw, list) or len(raw) != 2 or not all(isinstance(v, str) for v in raw):
        raise _invalid(raw)
    first, last = raw
    if _DATE.fullmatch(first) and _DATE.fullmatch(last):
        try:
            dates = (date.fromisoformat(first), date.fromisoformat(last))
        except ValueError:
            raise _invalid(raw) from None
        _check_years(raw, dates)
        return DateRangeSpec(dates=dates)
    matches = [_MOMENT.fullmatch(v) for v in raw]
    if not all(matches) or any(int(m["h"] or 0) > 23 for m in matches if m):
        raise _invalid(raw)
    if not all(m and m["offset"] for m in matches):
        raise StatsQueryError(f"Invalid date_range '{shown(raw)}'.", field="date_range")
    try:
        moments = tuple(datetime.fromisoformat(v.replace("z", "Z")) for v in raw)
    except ValueError:
        raise _invalid(raw) from None
    _check_years(raw, moments)
    return DateRangeSpec(moments=(moments[0], moments[1]))


def _check_years(raw: object, values: tuple[date, ...] | tuple[datetime, ...]) -> None:
    if not all(EARLIEST_YEAR <= v.year < LATEST_YEAR for v in values):
        raise StatsQueryError(
            f"Invalid date_range '{shown(raw)}': dates must be between the years "
            f"{EARLIEST_YEAR} and {LATEST_YEAR}.",
            field="date_range",
        )


def _invalid(raw: object) -> StatsQueryError:
    return schema_error("#/date_range", f"Invalid date range {shown(raw)}")


def resolve(
    spec: DateRangeSpec, today: date, timezone: str, stats_start: date | None = None
) -> TimeRange:
    """The moments `spec` covers, `today` being the site's date now and `stats_start` the day
    of its first event (for `all`)."""
    if spec.moments is not None:
        first, last = (m.astimezone(UTC) for m in spec.moments)
        return _checked(TimeRange(first, last, timezone))
    if spec.dates is not None:
        return _checked(days(spec.dates[0], spec.dates[1], timezone))
    first_day, last_day = _shorthand_days(spec.shorthand or "", today, stats_start)
    return days(first_day, last_day, timezone)


def _checked(found: TimeRange) -> TimeRange:
    if found.last < found.first:
        raise StatsQueryError(
            "Invalid date_range: its first date must not be after its last.",
            field="date_range",
        )
    return found


def _shorthand_days(shorthand: str, today: date, stats_start: date | None) -> tuple[date, date]:
    if shorthand == "day":
        return today, today
    if shorthand.endswith("mo"):
        months = int(shorthand[:-2])
        first = _add_months(today.replace(day=1), -months)
        return first, today.replace(day=1) - timedelta(days=1)
    if shorthand.endswith("d"):
        return today - timedelta(days=int(shorthand[:-1])), today - timedelta(days=1)
    if shorthand == "month":
        return today.replace(day=1), _add_months(today.replace(day=1), 1) - timedelta(days=1)
    if shorthand == "year":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    return min(stats_start or today, today), today


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def days(first: date, last: date, timezone: str) -> TimeRange:
    """From the start of `first` to the end of `last` in `timezone`: the start falls after a
    gap in the clock and on the later of two repeated moments, the end on the earlier."""
    zone = ZoneInfo(timezone)
    start = max(_candidates(first, time(0, 0, 0), zone))
    finish = min(_candidates(last, time(23, 59, 59), zone))
    return TimeRange(start, finish, timezone)


def _candidates(day: date, clock: time, zone: ZoneInfo) -> list[datetime]:
    return [
        datetime.combine(day, clock, zone).replace(fold=fold).astimezone(UTC) for fold in (0, 1)
    ]


def previous_period(main: TimeRange, today: date) -> tuple[date, date]:
    """The days just before the main range's, as many as it has up to today."""
    first, last = main.first_date, min(main.last_date, today)
    shift = (first - last).days - 1
    return first + timedelta(days=shift), last + timedelta(days=shift)


def year_over_year(main: TimeRange, today: date) -> tuple[date, date]:
    """The same days 365 days earlier (up to today)."""
    last = min(main.last_date, today)
    return main.first_date - timedelta(days=365), last - timedelta(days=365)


def matching_day_of_week(period: tuple[date, date], main_first: date) -> tuple[date, date]:
    """`period` moved to start on the main range's first day of the week: the next such
    day, or the one before when the next is the main range's first day itself."""
    first, last = period
    if first.weekday() == main_first.weekday():
        return period
    ahead = (main_first.weekday() - first.weekday()) % 7
    moved = first + timedelta(days=ahead)
    if moved == main_first:
        moved -= timedelta(days=7)
    return moved, last + (moved - first)
