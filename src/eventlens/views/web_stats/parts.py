"""The grouped queries a breakdown is made of: events (`event_logs`), visits (`visits`) and
engagement (time on page, scroll depth, from engagement events). Each selects its dimensions
as `d0`, `d1`... and its metrics by name; `postgres.py` joins them on the dimensions."""

from __future__ import annotations

from psycopg import sql

from eventlens.domain.stats_query import Condition, Filter
from eventlens.domain.stats_query.filters import dimensions_in, toplevel
from eventlens.views.web_stats.columns import dimension, visit_hours
from eventlens.views.web_stats.revenue import REVENUE_METRICS, revenue_metric
from eventlens.views.web_stats.scopes import Scopes

EVENT_METRICS = {
    "visitors": "count(DISTINCT coalesce(e.visitor_id, e.user_id, e.session_id))",
    "visits": "count(DISTINCT e.visit_id)",
    "pageviews": "count(*) FILTER (WHERE e.event_type = 'page_view')",
    "events": "count(*)",
}
# Durations in whole seconds, as Plausible's second-precision timestamps give them.
DURATION = (
    "extract(epoch FROM date_trunc('second', v.ended_at) - date_trunc('second', v.started_at))"
)
BOUNCE = "v.pageviews <= 1 AND v.interactive = 0"
SESSION_METRICS = {
    "visitors": "count(DISTINCT v.visitor_id)",
    "visits": "count(*)",
    "visit_duration": f"coalesce(round(avg({DURATION})::float8), 0)::bigint",
    "views_per_visit": (
        "coalesce(round(sum(v.pageviews)::float8 / nullif(count(*), 0) * 100) / 100, 0)"
    ),
}
NUMBER = (
    "CASE WHEN jsonb_typeof(e.properties -> '{key}') = 'number' "
    "THEN (e.properties ->> '{key}')::float8 END"
)
ENGAGED_MS = NUMBER.format(key="engaged_ms")
SCROLL_DEPTH = NUMBER.format(key="scroll_depth")


def _grouped(
    scopes: Scopes, dimensions: tuple[str, ...], table: str
) -> tuple[list[sql.Composable], sql.Composable]:
    selected: list[sql.Composable]
    """The dimensions' select list (`... AS d0`) and GROUP BY clause."""
    selected = [
        sql.SQL("{} AS {}").format(
            dimension(
                d, "events" if table == "events" else "visits", scopes.params, scopes.time_range
            ),
            sql.Identifier(f"d{i}"),
        )
        for i, d in enumerate(dimensions)
    ]
    if not dimensions:
        return selected, sql.SQL("")
    positions = sql.SQL(", ").join(sql.SQL(str(i + 1)) for i in range(len(dimensions)))
    return selected, sql.SQL(" GROUP BY {}").format(positions)


def _select(columns: list[sql.Composable]) -> sql.Composable:
    return sql.SQL(", ").join(columns or [sql.SQL("1 AS one")])


def events_part(
    scopes: Scopes,
    metrics: tuple[str, ...],
    dimensions: tuple[str, ...],
    filters: tuple[Filter, ...],
) -> sql.Composed:
    selected, group_by = _grouped(scopes, dimensions, "events")
    selected += [
        sql.SQL("{} AS {}").format(
            revenue_metric(m, scopes, dimensions, filters)
            if m in REVENUE_METRICS
            else sql.SQL(EVENT_METRICS[m]),
            sql.Identifier(m),
        )
        for m in metrics
    ]
    return sql.SQL("SELECT {} FROM {} WHERE {} AND {}{}").format(
        _select(selected),
        scopes.event_source(dimensions, filters),
        scopes.events(),
        scopes.conditions().all_of(filters),
        group_by,
    )


def sessions_part(
    scopes: Scopes,
    metrics: tuple[str, ...],
    dimensions: tuple[str, ...],
    filters: tuple[Filter, ...],
) -> sql.Composed:
    """Visits active in the range; filters on visit attributes hold on the visit itself, the
    others on one of its events (each top-level filter on an event of its own)."""
    on_visit: list[Filter] = []
    on_events: list[Filter] = []
    for item in filters:
        used = dimensions_in((item,), behavioural=False)
        (on_visit if all(d.startswith("visit:") for d in used) else on_events).append(item)
    conditions = scopes.conditions("visits")
    held = [conditions.all_of(on_visit)]
    if on_events:
        held.append(sql.SQL("v.visit_id IN ({})").format(scopes.visits_with(tuple(on_events))))
    selected, group_by = _grouped(scopes, dimensions, "visits")
    selected += [
        sql.SQL("{} AS {}").format(_session_metric(m, scopes, filters), sql.Identifier(m))
        for m in metrics
    ]
    source: sql.Composable = sql.SQL("visits v")
    if "time:hour" in dimensions:
        source = sql.SQL("visits v {}").format(visit_hours(scopes.params, scopes.time_range))
    return sql.SQL("SELECT {} FROM {} WHERE {} AND {}{}").format(
        _select(selected), source, scopes.visits(), sql.SQL(" AND ").join(held), group_by
    )


def _session_metric(metric: str, scopes: Scopes, filters: tuple[Filter, ...]) -> sql.Composable:
    if metric != "bounce_rate":
        return sql.SQL(SESSION_METRICS[metric])
    # With a page filter, only visits that entered on the page can bounce from it.
    page = toplevel(filters, "event:page")
    entered: sql.Composable = sql.SQL("TRUE")
    if page is not None:
        entry = Condition(page.operator, "visit:entry_page", page.clauses, page.case_sensitive)
        entered = scopes.conditions("visits").of(entry)
    return sql.SQL(
        "coalesce(round(((count(*) FILTER (WHERE {bounce} AND {entered}))::float8 "
        "/ nullif(count(*) FILTER (WHERE {entered}), 0)) * 100), 0)::bigint"
    ).format(bounce=sql.SQL(BOUNCE), entered=entered)


def time_on_page_part(
    scopes: Scopes, dimensions: tuple[str, ...], filters: tuple[Filter, ...]
) -> sql.Composed:
    """Engaged time per visit that engaged with the page, in seconds."""
    selected, group_by = _grouped(scopes, dimensions, "events")
    selected.append(
        sql.SQL(
            "round(sum({ms}) / 1000 / nullif(count(DISTINCT e.visit_id), 0))::bigint "
            "AS time_on_page"
        ).format(ms=sql.SQL(ENGAGED_MS))
    )
    return sql.SQL("SELECT {} FROM {} WHERE {} AND {} AND {} IS NOT NULL{}").format(
        _select(selected),
        scopes.event_source(dimensions, filters),
        scopes.events(engagement=True),
        scopes.conditions().all_of(filters),
        sql.SQL(ENGAGED_MS),
        group_by,
    )


def scroll_depth_part(
    scopes: Scopes, dimensions: tuple[str, ...], filters: tuple[Filter, ...]
) -> sql.Composed:
    """The deepest scroll of each visit on the page, averaged over the visits."""
    selected, _ = _grouped(scopes, dimensions, "events")
    names = [sql.Identifier(f"d{i}") for i in range(len(dimensions))]
    per_visit = sql.SQL(
        "SELECT {selected}, e.visit_id, max({depth}) AS depth FROM {source} "
        "WHERE {events} AND {held} AND {depth} <= 100 GROUP BY {keys}"
    ).format(
        selected=_select(selected),
        depth=sql.SQL(SCROLL_DEPTH),
        source=scopes.event_source(dimensions, filters),
        events=scopes.events(engagement=True),
        held=scopes.conditions().all_of(filters),
        keys=sql.SQL(", ").join(
            [*(sql.SQL(str(i + 1)) for i in range(len(dimensions))), sql.SQL("e.visit_id")]
        ),
    )
    outer = [*names, sql.SQL("round(avg(s.depth))::bigint AS scroll_depth")]
    grouping = sql.SQL(" GROUP BY {}").format(sql.SQL(", ").join(names)) if names else sql.SQL("")
    return sql.SQL("SELECT {} FROM ({}) AS s{}").format(
        sql.SQL(", ").join(outer), per_visit, grouping
    )
