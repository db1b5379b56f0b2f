"""Each kind of rule measured at an instant: from the Stats API's engine (traffic, goal
conversions), the rejected events and bot counts read models, and the projections' lag."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from eventlens.domain.alert_firing import Measurement
from eventlens.domain.alerts import MAX_WEEKS, AlertKind
from eventlens.domain.baseline import Direction, judge_traffic
from eventlens.domain.stats_query import Site, read_query
from eventlens.domain.stats_query.timeline import hour_label
from eventlens.views.web_stats.port import WebStatsQueries
from eventlens.views.web_stats.runner import run_query

HOUR = timedelta(hours=1)
WEEK = timedelta(days=7)

REJECTED = """
SELECT count(*) FROM rejected_events
WHERE container_id = %(site)s AND received_at > %(since)s AND received_at <= %(now)s
"""
BOTS = "SELECT coalesce(sum(events), 0) FROM bot_counts_daily WHERE day = %s AND container_id = %s"


def judged_hour(now: datetime) -> datetime:
    """Traffic rules judge the last complete hour: the current one is still filling up."""
    return now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - HOUR


class Measures:
    def __init__(
        self,
        engine: WebStatsQueries,
        pool: Any,
        projection_lag: Callable[[], Awaitable[float]],
    ) -> None:
        self.engine = engine
        self.pool = pool
        self.projection_lag = projection_lag
        self._series: dict[tuple[str, str, datetime], dict[str, float]] = {}
        self._first_days: dict[str, date | None] = {}

    def forget(self) -> None:
        """Drop what one evaluation read (series and first days shared by a site's rules)."""
        self._series = {}
        self._first_days = {}

    async def measure(
        self, settings: dict[str, Any], site: Site, now: datetime
    ) -> Measurement | None:
        kind = AlertKind(settings["kind"])
        threshold = float(settings["threshold"])
        if kind is AlertKind.TRAFFIC:
            return await self._traffic(settings, site, now)
        if kind is AlertKind.GOAL_CONVERSIONS:
            return await self._conversions(settings, site, now)
        if kind is AlertKind.REJECTED_EVENTS:
            since = now - timedelta(minutes=int(settings["window_minutes"]))
            async with self.pool.connection() as conn:
                cursor = await conn.execute(
                    REJECTED, {"site": site.container_id, "since": since, "now": now}
                )
                row = await cursor.fetchone()
            count = float(row[0] if row else 0)
            minutes = settings["window_minutes"]
            return Measurement(
                count > threshold,
                count,
                summary=f"{count:g} events rejected in the last {minutes} minutes "
                f"(threshold {threshold:g}).",
            )
        if kind is AlertKind.BOTS:
            async with self.pool.connection() as conn:
                cursor = await conn.execute(BOTS, (now.astimezone(UTC).date(), site.container_id))
                row = await cursor.fetchone()
            count = float(row[0] if row else 0)
            return Measurement(
                count > threshold,
                count,
                summary=f"{count:g} bot events today (UTC; threshold {threshold:g}).",
            )
        lag = await self.projection_lag()
        return Measurement(
            lag > threshold,
            round(lag, 1),
            summary=f"The projections are {lag:.0f} s behind the event store "
            f"(threshold {threshold:g} s).",
        )

    async def _traffic(self, settings: dict[str, Any], site: Site, now: datetime) -> Measurement:
        metric, weeks = str(settings["metric"]), int(settings["weeks"])
        hour = judged_hour(now)
        counts = await self._hourly(site, metric, hour)
        if site.container_id not in self._first_days:
            self._first_days[site.container_id] = await self.engine.first_day(site)
        first_day = self._first_days[site.container_id]
        zone = ZoneInfo(site.timezone)
        local = hour.astimezone(zone).replace(tzinfo=None)
        history: list[float | None] = []
        for k in range(1, weeks + 1):
            then = local - k * WEEK  # the same wall-clock hour, across a change of clocks too
            before_site = first_day is None or then.date() < first_day
            history.append(None if before_site else counts.get(hour_label(then), 0.0))
        observed = counts.get(hour_label(local), 0.0)
        verdict = judge_traffic(
            observed,
            history,
            direction=Direction(settings["direction"]),
            threshold=float(settings["threshold"]),
            min_change=float(settings["min_change"]),
        )
        expected = verdict.expected
        at = f"{local:%a %H:00}-{(local + HOUR):%H:00} ({site.timezone})"
        if expected is None:
            summary = f"{observed:g} {metric} {at}; too little history for an expected value."
        else:
            summary = (
                f"{observed:g} {metric} {at}, expected {expected:g} "
                f"(the median of the same hour of the previous {weeks} weeks)."
            )
        direction = None if verdict.anomaly is None else verdict.anomaly.value
        return Measurement(verdict.anomaly is not None, observed, expected, direction, summary)

    async def _hourly(self, site: Site, metric: str, hour: datetime) -> dict[str, float]:
        """The site's hourly `metric` from the longest history a rule may ask (MAX_WEEKS)
        before `hour` to its end, by label: one query for every traffic rule of the site on
        that metric, whatever their weeks (docs/BENCHMARKS.md, "Alert evaluation")."""
        key = (site.container_id, metric, hour)
        if key not in self._series:
            first, last = hour - MAX_WEEKS * WEEK, hour + HOUR - timedelta(seconds=1)
            query = read_query(
                {
                    "site_id": site.container_id,
                    "metrics": [metric],
                    "date_range": [first.isoformat(), last.isoformat()],
                    "dimensions": ["time:hour"],
                    "pagination": {"limit": 10_000},
                }
            )
            answer = await run_query(self.engine, site, query, hour)
            self._series[key] = {
                row["dimensions"][0]: float(row["metrics"][0]) for row in answer["results"]
            }
        return self._series[key]

    async def _conversions(
        self, settings: dict[str, Any], site: Site, now: datetime
    ) -> Measurement | None:
        """The goal's conversions (events) in the window before `now`; a goal removed from the
        site is not measured (its rule waits, rather than firing on a count of zero)."""
        goal, floor = str(settings["goal"]), float(settings["threshold"])
        if site.goal(goal) is None:
            return None
        minutes = int(settings["window_minutes"])
        first = now - timedelta(minutes=minutes)
        query = read_query(
            {
                "site_id": site.container_id,
                "metrics": ["events"],
                "date_range": [first.isoformat(), now.isoformat()],
                "filters": [["is", "event:goal", [goal]]],
            }
        )
        answer = await run_query(self.engine, site, query, now)
        count = float(answer["results"][0]["metrics"][0]) if answer["results"] else 0.0
        return Measurement(
            count < floor,
            count,
            summary=f"{count:g} conversions of {goal} in the last {minutes} minutes "
            f"(floor {floor:g}).",
        )
