"""Retention, pure: the request of `POST /api/v2/retention` read and checked, and its cohort
grid. Only identified users (events with a `user_id`) are counted: cookieless visitor ids
rotate daily, so a visitor cannot be recognised on a later day, and retention by visitor
would be meaningless."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from eventlens.domain.funnels import read_body
from eventlens.domain.stats_query.dates import DateRangeSpec, parse_date_range
from eventlens.domain.stats_query.errors import (
    StatsQueryError,
    schema_error,
    shown,
    type_mismatch,
)

PERIODS = ("day", "week")
FIRST_VISIT = "first visit"
NOTICE = (
    "Retention counts identified users only (events with a user_id): cookieless visitor ids "
    "rotate daily, so an anonymous visitor cannot be recognised on a later day."
)
RETENTION_FIELDS = ("site_id", "date_range", "period", "start")
# Cohorts a grid holds at most: its cells grow with their square.
MAX_PERIODS = 120


@dataclass(frozen=True)
class RetentionQuery:
    site_id: str
    date_range: DateRangeSpec
    period: str = "week"
    start: str | None = None  # a goal's name; None: the user's first visit


def read_retention_query(raw: object) -> RetentionQuery:
    body = read_body(raw, ("site_id", "date_range", "period"), RETENTION_FIELDS)
    site_id = body["site_id"]
    if not isinstance(site_id, str):
        raise type_mismatch("#/site_id", "String", site_id)
    period = body["period"]
    if period not in PERIODS:
        raise schema_error("#/period", f'Invalid period {shown(period)}: "day" or "week".')
    start = body.get("start", FIRST_VISIT)
    if not isinstance(start, str) or not start.strip():
        raise schema_error(
            "#/start", f'Invalid start {shown(start)}: "first visit" or a goal\'s name.'
        )
    return RetentionQuery(
        site_id,
        parse_date_range(body["date_range"]),
        period,
        None if start == FIRST_VISIT else start,
    )


def period_starts(first: date, last: date, period: str) -> list[date]:
    """The periods from the one holding `first` to the one holding `last` (weeks from
    Monday); more than `MAX_PERIODS` are refused."""
    if period == "week":
        first = first - timedelta(days=first.weekday())
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    found = []
    while first <= last:
        found.append(first)
        if len(found) > MAX_PERIODS:
            raise StatsQueryError(
                f"#/date_range: A retention grid holds at most {MAX_PERIODS} {period}s of "
                "cohorts: choose a shorter range, or weeks.",
                field="#/date_range",
            )
        first += step
    return found


def cohort_grid(
    periods: list[date], sizes: dict[date, int], active: dict[tuple[date, date], int]
) -> list[dict[str, Any]]:
    """One row per cohort (the period its users started in): its users, then for each period
    from its own to the last, the users active in it and their share of the cohort."""
    rows = []
    for index, cohort in enumerate(periods):
        users = sizes.get(cohort, 0)
        rows.append(
            {
                "cohort": cohort.isoformat(),
                "users": users,
                "retention": [
                    {
                        "period": offset,
                        "users": active.get((cohort, later), 0),
                        "percentage": round(active.get((cohort, later), 0) / users * 100, 1)
                        if users
                        else 0.0,
                    }
                    for offset, later in enumerate(periods[index:])
                ],
            }
        )
    return rows
