"""Site time zones: IANA names (`Europe/Paris`), in which a site's days and date ranges are
counted."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from eventlens.domain.errors import InvalidInput

DEFAULT_TIMEZONE = "UTC"
MAX_TIMEZONE = 64


@cache
def _zones_by_folded_name() -> dict[str, str]:
    names = available_timezones() | {DEFAULT_TIMEZONE}
    return {name.casefold(): name for name in names}


def check_timezone(value: object, field: str = "timezone") -> str:
    """An IANA time zone name, in its canonical spelling (`europe/paris` -> `Europe/Paris`)."""
    if isinstance(value, str) and len(value) <= MAX_TIMEZONE:
        found = _zones_by_folded_name().get(value.strip().casefold())
        if found is not None:
            return found
    raise InvalidInput(
        f"{repr(value)[:80]} is not a time zone: give an IANA name such as 'Europe/Paris' or 'UTC'",
        field=field,
    )
