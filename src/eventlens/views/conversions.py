"""Funnels and retention answered for a site: the request's range resolved in the site's time
zone (as the Stats API resolves it), its goals' steps, the engine's counts, and the answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from eventlens.domain.funnels import FunnelQuery, funnel_steps, reached_per_step
from eventlens.domain.goals import Goal
from eventlens.domain.retention import NOTICE, RetentionQuery, cohort_grid, period_starts
from eventlens.domain.stats_query import Site, StatsQueryError
from eventlens.domain.stats_query.dates import DateRangeSpec, TimeRange, resolve
from eventlens.domain.stats_query.errors import shown
from eventlens.views.funnels import FunnelPlan, funnel_levels
from eventlens.views.retention import cohort_rows
from eventlens.views.web_stats.postgres import PostgresWebStats


def site_goals_named(site: Site, names: tuple[str, ...], field: str) -> tuple[Goal, ...]:
    """The site's goals of these names, or a `StatsQueryError` naming the first it lacks
    (`field`, or its item when several names are asked)."""
    found = []
    for index, name in enumerate(names):
        goal = site.goal(name)
        if goal is None:
            where = f"{field}/{index}" if field == "#/steps" else field
            raise StatsQueryError(
                f"{where}: The goal {shown(name)} is not configured for this site.", field=where
            )
        found.append(goal)
    return tuple(found)


async def time_range_of(pool: Any, site: Site, spec: DateRangeSpec, now: datetime) -> TimeRange:
    today = now.astimezone(ZoneInfo(site.timezone)).date()
    stats_start = None
    if spec.shorthand == "all":
        stats_start = await PostgresWebStats(pool).first_day(site)
    return resolve(spec, today, site.timezone, stats_start)


async def run_funnel(pool: Any, site: Site, query: FunnelQuery, now: datetime) -> dict[str, Any]:
    steps = site_goals_named(site, query.steps, "#/steps")
    time_range = await time_range_of(pool, site, query.date_range, now)
    plan = FunnelPlan(steps, query.within, time_range, query.filters, query.breakdown)
    rows = await funnel_levels(pool, site, plan)
    groups: dict[str | None, dict[int, int]] = {}
    for value, level, visitors in rows:
        groups.setdefault(value, {})[level] = visitors
    whole: dict[int, int] = {}
    for levels in groups.values():
        for level, visitors in levels.items():
            whole[level] = whole.get(level, 0) + visitors
    answer: dict[str, Any] = {
        "steps": funnel_steps(query.steps, reached_per_step(whole, len(steps))),
    }
    if query.breakdown is not None:
        broken = [
            (str(value), funnel_steps(query.steps, reached_per_step(levels, len(steps))))
            for value, levels in groups.items()
        ]
        broken.sort(key=lambda item: (-item[1][0]["visitors"], item[0]))
        answer["breakdown"] = [{"value": value, "steps": found} for value, found in broken]
    answer["query"] = {
        "site_id": query.site_id,
        "date_range": time_range.echoed(),
        "steps": list(query.steps),
        "within": query.within.to_json(),
        "filters": [f.to_json() for f in query.filters],
        "breakdown": query.breakdown,
    }
    return answer


async def run_retention(
    pool: Any, site: Site, query: RetentionQuery, now: datetime
) -> dict[str, Any]:
    start = None
    if query.start is not None:
        (start,) = site_goals_named(site, (query.start,), "#/start")
    time_range = await time_range_of(pool, site, query.date_range, now)
    periods = period_starts(time_range.first_date, time_range.last_date, query.period)
    rows = await cohort_rows(pool, site, time_range, query.period, start)
    sizes = {cohort: users for cohort, active, users in rows if active is None}
    active = {(cohort, p): users for cohort, p, users in rows if p is not None}
    return {
        "identified_users_only": True,
        "notice": NOTICE,
        "period": query.period,
        "cohorts": cohort_grid(periods, sizes, active),
        "query": {
            "site_id": query.site_id,
            "date_range": time_range.echoed(),
            "period": query.period,
            "start": query.start or "first visit",
        },
    }
