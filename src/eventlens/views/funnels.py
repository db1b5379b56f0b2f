"""Funnels over PostgreSQL's read models, in one statement.

The events that reach any step (`hits`, one row per event and step it matches) are read once
from `event_logs`, joined to their visit (`visits`) for the filters. Each step is then the
earliest hit of it after the previous step's, within the window: the same visit (keyed by
the visit that started the funnel), or N days from the first step, where every first-step
event is a start of its own (a later start may go further within its window). Each visitor
counts once, at the furthest step of their best start (the earliest among equals), and is
broken down by that start's visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import sql

from eventlens.domain.funnels import Window
from eventlens.domain.goals import Goal
from eventlens.domain.stats_query import Breakdown, Filter, Site
from eventlens.domain.stats_query.dates import TimeRange
from eventlens.domain.stats_query.filters import dimensions_in
from eventlens.views.web_stats.columns import Params, dimension
from eventlens.views.web_stats.conditions import reached
from eventlens.views.web_stats.patterns import matched_values
from eventlens.views.web_stats.scopes import Scopes

PERSON = "coalesce(e.visitor_id, e.user_id, e.session_id)"


@dataclass(frozen=True)
class FunnelPlan:
    steps: tuple[Goal, ...]
    window: Window
    time_range: TimeRange
    filters: tuple[Filter, ...] = ()
    breakdown: str | None = None


# (breakdown value or None, furthest step reached, visitors)
LevelRow = tuple[str | None, int, int]


async def funnel_levels(pool: Any, site: Site, plan: FunnelPlan) -> list[LevelRow]:
    """How many visitors stopped at each step (per breakdown value)."""
    async with pool.connection() as conn:
        filtered = Breakdown(
            metrics=("visitors",), dimensions=(), filters=plan.filters, time_range=plan.time_range
        )
        matched = await matched_values(conn, site, filtered)
        params = Params()
        statement = funnel_sql(Scopes(site, plan.time_range, params, matched), plan)
        cursor = await conn.execute(statement, params.values)
        rows = await cursor.fetchall()
    return [(None if plan.breakdown is None else str(r[0]), int(r[1]), int(r[2])) for r in rows]


def funnel_sql(scopes: Scopes, plan: FunnelPlan) -> sql.Composed:
    params = scopes.params
    conditions = [reached((goal,), params) for goal in plan.steps]
    matched_steps = sql.SQL(", ").join(
        sql.SQL("CASE WHEN {} THEN {} END").format(c, sql.Literal(i + 1))
        for i, c in enumerate(conditions)
    )
    ctes: list[sql.Composable] = [
        sql.SQL(
            'hits AS MATERIALIZED (SELECT {person} AS person, e.visit_id, e."timestamp" AS t, '
            "s.step FROM event_logs e JOIN visits v ON v.container_id = e.container_id "
            "AND v.visit_id = e.visit_id "
            "CROSS JOIN LATERAL unnest(ARRAY[{matched}]) AS s(step) "
            "WHERE {events} AND e.visit_id IS NOT NULL AND ({any}) AND s.step IS NOT NULL "
            "AND {kept})"
        ).format(
            person=sql.SQL(PERSON),
            matched=matched_steps,
            events=scopes.events(),
            any=sql.SQL(" OR ").join(conditions),
            kept=_kept_visits(scopes, plan.filters),
        )
    ]
    if plan.window.visit:
        ctes.append(
            sql.SQL(
                "s1 AS (SELECT person, visit_id AS start_visit, min(t) AS start, min(t) AS t "
                "FROM hits WHERE step = 1 GROUP BY person, visit_id)"
            )
        )
        within: sql.Composable = sql.SQL("h.visit_id = p.start_visit")
    else:
        ctes.append(
            sql.SQL(
                "s1 AS (SELECT DISTINCT person, visit_id AS start_visit, t AS start, t "
                "FROM hits WHERE step = 1)"
            )
        )
        within = sql.SQL("h.t <= p.start + make_interval(days => {})").format(
            sql.Literal(plan.window.days)
        )
    for k in range(2, len(plan.steps) + 1):
        ctes.append(
            sql.SQL(
                "{this} AS (SELECT p.person, p.start_visit, p.start, min(h.t) AS t "
                "FROM {previous} p JOIN hits h ON h.person = p.person AND h.step = {k} "
                "AND h.t > p.t AND {within} GROUP BY p.person, p.start_visit, p.start)"
            ).format(
                this=sql.Identifier(f"s{k}"),
                previous=sql.Identifier(f"s{k - 1}"),
                k=sql.Literal(k),
                within=within,
            )
        )
    further = [
        sql.SQL("LEFT JOIN {} USING (person, start_visit, start)").format(sql.Identifier(f"s{k}"))
        for k in range(2, len(plan.steps) + 1)
    ]
    level = sql.SQL(" + ").join(
        [
            sql.SQL("1"),
            *(
                sql.SQL("({}.t IS NOT NULL)::int").format(sql.Identifier(f"s{k}"))
                for k in range(2, len(plan.steps) + 1)
            ),
        ]
    )
    ctes.append(
        sql.SQL(
            "best AS (SELECT DISTINCT ON (person) person, start_visit, {level} AS level "
            "FROM s1 {further} ORDER BY person, level DESC, start)"
        ).format(level=level, further=sql.SQL(" ").join(further))
    )
    if plan.breakdown is None:
        final: sql.Composable = sql.SQL("SELECT NULL, level, count(*) FROM best GROUP BY level")
    else:
        value = dimension(plan.breakdown, "visits", params, scopes.time_range)
        final = sql.SQL(
            "SELECT {value}, b.level, count(*) FROM best b JOIN visits v "
            "ON v.container_id = {site} AND v.visit_id = b.start_visit GROUP BY 1, 2"
        ).format(value=value, site=params.add(scopes.site.container_id))
    return sql.SQL("WITH {} {}").format(sql.SQL(", ").join(ctes), final)


def _kept_visits(scopes: Scopes, filters: tuple[Filter, ...]) -> sql.Composable:
    """The filters, held by the visit: visit attributes by the visit itself, the others by
    one of its events in the range (as the Stats API's visit metrics hold them)."""
    on_visit: list[Filter] = []
    on_events: list[Filter] = []
    for item in filters:
        used = dimensions_in((item,), behavioural=False)
        (on_visit if all(d.startswith("visit:") for d in used) else on_events).append(item)
    held = [scopes.conditions("visits").all_of(on_visit)]
    if on_events:
        held.append(sql.SQL("v.visit_id IN ({})").format(scopes.visits_with(tuple(on_events))))
    return sql.SQL(" AND ").join(held)
