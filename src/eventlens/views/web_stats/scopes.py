"""The rows each part of a breakdown reads: a site's events in the range (`event_logs e`,
with its visit `v` when a visit attribute is asked for) and its visits active in the range
(`visits v`), and the visits that had events matching a filter."""

from __future__ import annotations

from psycopg import sql

from eventlens.domain.stats_query import Filter, Site
from eventlens.domain.stats_query.dates import TimeRange
from eventlens.domain.stats_query.filters import dimensions_in
from eventlens.domain.stats_query.goals import breakdown_goals
from eventlens.domain.stats_query.vocabulary import GOAL
from eventlens.views.web_stats.columns import Params
from eventlens.views.web_stats.conditions import Conditions, Matched

VISIT_OF_EVENT = sql.SQL(
    "LEFT JOIN visits v ON v.container_id = e.container_id AND v.visit_id = e.visit_id"
)
# Plausible keeps a visit's start in its index range by looking a week back for visits still
# active when the range begins.
VISIT_LOOKBACK = "7 days"


class Scopes:
    def __init__(self, site: Site, time_range: TimeRange, params: Params, matched: Matched):
        self.site = site
        self.time_range = time_range
        self.params = params
        self.matched = matched

    def conditions(self, table: str = "events") -> Conditions:
        return Conditions(
            self.params,
            self.time_range,
            self.matched,
            self.visits_with,
            "events" if table == "events" else "visits",
            self.site.goals,
        )

    def events(self, *, engagement: bool = False) -> sql.Composable:
        """Conditions on `e`: the site's events in the range, engagement events or the others."""
        kind = sql.SQL("=" if engagement else "<>")
        return sql.SQL(
            "e.schema_id = {schema} AND e.container_id = {site} "
            'AND e."timestamp" >= {first} AND e."timestamp" < {end} '
            "AND e.event_type {kind} 'engagement'"
        ).format(
            schema=self.params.add(self.site.schema_id),
            site=self.params.add(self.site.container_id),
            first=self.params.add(self.time_range.first),
            end=self.params.add(self.time_range.end),
            kind=kind,
        )

    def visits(self) -> sql.Composable:
        """Conditions on `v`: the site's visits active in the range."""
        return sql.SQL(
            "v.container_id = {site} AND v.started_at >= {first}::timestamptz - interval {back} "
            "AND v.started_at < {end} AND v.ended_at >= {first}"
        ).format(
            site=self.params.add(self.site.container_id),
            first=self.params.add(self.time_range.first),
            end=self.params.add(self.time_range.end),
            back=sql.Literal(VISIT_LOOKBACK),
        )

    def event_source(
        self, dimensions: tuple[str, ...], filters: tuple[Filter, ...]
    ) -> sql.Composable:
        """`event_logs e`, joined to its visit when the dimensions or filters need one."""
        used = [*dimensions, *dimensions_in(filters, behavioural=False)]
        source: sql.Composable = sql.SQL("event_logs e")
        if any(d.startswith("visit:") for d in used):
            source = sql.SQL("event_logs e {}").format(VISIT_OF_EVENT)
        if GOAL in dimensions:
            source = sql.SQL("{} {}").format(source, self.goal_join(filters))
        return source

    def goal_join(self, filters: tuple[Filter, ...]) -> sql.Composable:
        """Each event with each goal it reaches (`g.name`), among the goals the top-level
        goal filters keep: an event that reaches two goals counts for both."""
        goals = breakdown_goals(filters, self.site.goals)
        if not goals:
            return sql.SQL(
                "JOIN (SELECT NULL::text AS name, NULL::text AS event_name, "
                "NULL::text AS currency WHERE FALSE) AS g ON TRUE"
            )
        rows = sql.SQL(", ").join(
            sql.SQL("({}::text, {}::text, {}::text, {}::text)").format(
                self.params.add(g.name),
                self.params.add(g.event_name),
                self.params.add(g.path_regex),
                self.params.add(g.currency),
            )
            for g in goals
        )
        return sql.SQL(
            "JOIN (VALUES {}) AS g(name, event_name, page_regex, currency) ON "
            "(e.event_type = g.event_name OR "
            "(e.event_type = 'page_view' AND e.path ~ g.page_regex))"
        ).format(rows)

    def visits_with(self, event_filter: Filter | tuple[Filter, ...]) -> sql.Composable:
        """The ids of the visits with an event in the range that matches the filter(s)."""
        filters = event_filter if isinstance(event_filter, tuple) else (event_filter,)
        return sql.SQL(
            "SELECT e.visit_id FROM {source} WHERE {events} AND e.visit_id IS NOT NULL AND {held}"
        ).format(
            source=self.event_source((), filters),
            events=self.events(),
            held=self.conditions().all_of(filters),
        )
