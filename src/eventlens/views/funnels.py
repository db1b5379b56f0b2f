"""Funnels over PostgreSQL's read models, in one statement.

The events that reach any step (`hits`, one row per event and step it matches) are read once
from `event_logs`, joined to their visit (`visits`) for the filters, and grouped in one pass
per visitor (per visit, within a visit) into each step's moments in order (`per`). Each step
is then the earliest moment of it after the previous step's, within the window, found in
those small arrays rather than by joining the events to themselves: within a visit from its
earliest first step, within N days from every first step (a later start may go further in
its own window). Each visitor counts once, at the furthest step of their best start (the
earliest among equals), and is broken down by that start's visit.
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
from eventlens.views.web_stats.scopes import VISIT_OF_EVENT, Scopes

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
    count = len(plan.steps)
    conditions = [reached((goal,), params) for goal in plan.steps]
    matched_steps = sql.SQL(", ").join(
        sql.SQL("CASE WHEN {} THEN {} END").format(c, sql.Literal(i + 1))
        for i, c in enumerate(conditions)
    )
    hits = sql.SQL(
        'hits AS (SELECT {person} AS person, e.visit_id, e."timestamp" AS t, s.step '
        "FROM event_logs e {visit} "
        "CROSS JOIN LATERAL unnest(ARRAY[{matched}]) AS s(step) "
        "WHERE {events} AND e.visit_id IS NOT NULL AND ({any}) AND s.step IS NOT NULL "
        "AND {kept})"
    ).format(
        person=sql.SQL(PERSON),
        # The visit's own row only where a filter asks about it.
        visit=VISIT_OF_EVENT if plan.filters else sql.SQL(""),
        matched=matched_steps,
        events=scopes.events(),
        any=sql.SQL(" OR ").join(conditions),
        kept=_kept_visits(scopes, plan.filters),
    )
    # Per visitor (and visit, within a visit): each step's moments in order, and the visits
    # of the first step's.
    group = sql.SQL("person, visit_id") if plan.window.visit else sql.SQL("person")
    arrays = [
        sql.SQL("array_agg(visit_id ORDER BY t) FILTER (WHERE step = 1) AS v1"),
        *(
            sql.SQL("array_agg(t ORDER BY t) FILTER (WHERE step = {k}) AS {name}").format(
                k=sql.Literal(k), name=sql.Identifier(f"a{k}")
            )
            for k in range(1, count + 1)
        ),
    ]
    per = sql.SQL("per AS (SELECT person, {arrays} FROM hits GROUP BY {group})").format(
        arrays=sql.SQL(", ").join(arrays), group=group
    )
    # Within a visit the earliest first step goes furthest; within days, every first step
    # starts a window of its own.
    starts = (
        sql.SQL("unnest(p.a1[1:1], p.v1[1:1])")
        if plan.window.visit
        else sql.SQL("unnest(p.a1, p.v1)")
    )
    window = (
        sql.SQL("")
        if plan.window.visit
        else sql.SQL(" AND x <= s.start + make_interval(days => {})").format(
            sql.Literal(plan.window.days)
        )
    )
    laterals = []
    previous: sql.Composable = sql.SQL("s.start")
    for k in range(2, count + 1):
        this = sql.Identifier(f"t{k}")
        laterals.append(
            sql.SQL(
                "LEFT JOIN LATERAL (SELECT min(x) AS t FROM unnest(p.{array}) AS x "
                "WHERE x > {previous}{window}) AS {this} ON TRUE"
            ).format(array=sql.Identifier(f"a{k}"), previous=previous, window=window, this=this)
        )
        previous = sql.SQL("{}.t").format(this)
    level = sql.SQL(" + ").join(
        [
            sql.SQL("1"),
            *(
                sql.SQL("({}.t IS NOT NULL)::int").format(sql.Identifier(f"t{k}"))
                for k in range(2, count + 1)
            ),
        ]
    )
    best = sql.SQL(
        "best AS (SELECT DISTINCT ON (p.person) p.person, s.start_visit, {level} AS level "
        "FROM per p CROSS JOIN LATERAL {starts} AS s(start, start_visit) {laterals} "
        "WHERE p.a1 IS NOT NULL ORDER BY p.person, level DESC, s.start)"
    ).format(level=level, starts=starts, laterals=sql.SQL(" ").join(laterals))
    final: sql.Composable
    if plan.breakdown is None:
        final = sql.SQL("SELECT NULL, level, count(*) FROM best GROUP BY level")
    else:
        value = dimension(plan.breakdown, "visits", params, scopes.time_range)
        final = sql.SQL(
            "SELECT {value}, b.level, count(*) FROM best b JOIN visits v "
            "ON v.container_id = {site} AND v.visit_id = b.start_visit GROUP BY 1, 2"
        ).format(value=value, site=params.add(scopes.site.container_id))
    return sql.SQL("WITH {}, {}, {} {}").format(hits, per, best, final)


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
