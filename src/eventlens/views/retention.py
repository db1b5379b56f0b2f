"""Retention cohorts over `event_logs`, for identified users (`user_id`) only.

A user is their subject's pseudonym (`subject_id`) when the event's personal fields are
sealed, else the user id: the pseudonym outlives an erasure, so the counts stay the same
after a subject's key is deleted and the user id blanked.

A user's cohort is the period (day, or week from Monday, in the site's time zone) of their
first visit to the site, or of their first conversion of the start goal, over the whole
history up to the range's end; cohorts are those that start in the range. A user is retained
in a later period when they have any event (engagement aside) in it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg import sql

from eventlens.domain.goals import Goal
from eventlens.domain.stats_query import Site
from eventlens.domain.stats_query.dates import TimeRange
from eventlens.views.web_stats.columns import Params
from eventlens.views.web_stats.conditions import reached
from eventlens.views.web_stats.scopes import Scopes

USER = "coalesce(e.subject_id, e.user_id)"
# (cohort, period the users were active in or None for the cohort's size, users)
CohortRow = tuple[date, date | None, int]


async def cohort_rows(
    pool: Any, site: Site, time_range: TimeRange, period: str, start: Goal | None
) -> list[CohortRow]:
    params = Params()
    statement = retention_sql(Scopes(site, time_range, params, {}), period, start)
    async with pool.connection() as conn:
        cursor = await conn.execute(statement, params.values)
        rows = await cursor.fetchall()
    return [(r[0], r[1], int(r[2])) for r in rows]


def retention_sql(scopes: Scopes, period: str, start: Goal | None) -> sql.Composed:
    params = scopes.params
    zone = params.add(scopes.time_range.timezone)

    def period_of(column: sql.Composable) -> sql.Composable:
        local = sql.SQL("({} AT TIME ZONE {})").format(column, zone)
        if period == "week":
            return sql.SQL("date_trunc('week', {})::date").format(local)
        return sql.SQL("{}::date").format(local)

    started = sql.SQL("TRUE") if start is None else reached((start,), params)
    return sql.SQL(
        'WITH firsts AS (SELECT {user} AS user_id, min(e."timestamp") AS first FROM event_logs e '
        "WHERE e.schema_id = {schema} AND e.container_id = {site} "
        "AND e.\"timestamp\" < {end} AND e.event_type <> 'engagement' "
        "AND {user} IS NOT NULL AND {started} GROUP BY 1), "
        "cohorts AS (SELECT f.user_id, {cohort} AS cohort FROM firsts f "
        "WHERE f.first >= {first}), "
        "active AS (SELECT DISTINCT {user} AS user_id, {active} AS p FROM event_logs e "
        "WHERE {events} AND {user} IS NOT NULL) "
        "SELECT cohort, NULL::date, count(*) FROM cohorts GROUP BY cohort "
        "UNION ALL "
        "SELECT c.cohort, a.p, count(*) FROM cohorts c JOIN active a "
        "ON a.user_id = c.user_id AND a.p >= c.cohort GROUP BY c.cohort, a.p"
    ).format(
        user=sql.SQL(USER),
        schema=params.add(scopes.site.schema_id),
        site=params.add(scopes.site.container_id),
        end=params.add(scopes.time_range.end),
        first=params.add(scopes.time_range.first),
        started=started,
        cohort=period_of(sql.SQL("f.first")),
        active=period_of(sql.SQL('e."timestamp"')),
        events=scopes.events(),
    )
