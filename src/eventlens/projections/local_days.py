"""Days in a site's time zone, as the rollups count them: from recorded times (UTC), cached
by the minute, since every zone's offset is a whole number of minutes."""

from __future__ import annotations

import math
from datetime import date, datetime
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

from eventlens.domain.timezones import DEFAULT_TIMEZONE
from eventlens.projections.event_rows import utc

_EPOCH_DAY = date(1970, 1, 1).toordinal()


@cache
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(moment: datetime, zone: str) -> date:
    seconds = math.floor(moment.timestamp())
    if zone == DEFAULT_TIMEZONE:
        return date.fromordinal(_EPOCH_DAY + seconds // 86400)
    return _minute_day(seconds // 60, zone)


@lru_cache(maxsize=1 << 16)
def _minute_day(minute: int, zone: str) -> date:
    return datetime.fromtimestamp(minute * 60, zone_of(zone)).date()


@lru_cache(maxsize=1 << 16)
def minute_day(minute: str, zone: str) -> date:
    """The local day of a UTC minute written `YYYY-MM-DDTHH:MM`."""
    return local_day(datetime.fromisoformat(minute + "+00:00"), zone)


def utc_minute(occurred_at: str) -> str:
    """`YYYY-MM-DDTHH:MM` in UTC. Recorded times are UTC already (`...+00:00`): those are
    cut, not parsed."""
    if occurred_at.endswith("+00:00") and occurred_at[10:11] == "T":
        return occurred_at[:16]
    return utc(occurred_at).isoformat(timespec="minutes")[:16]
