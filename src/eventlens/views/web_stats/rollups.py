"""Breakdowns answered from the rollups (`visit_rollups`, `page_rollups`): the same parts as
the raw query (`parts.py`) and the same split between them (`plan.py`), over a few rows a day.

A visit's row is keyed by its last and first days, so both ways the raw query counts visits
are kept: the visits with an event in the range or bucket (the events' side: a row covers
every day from its `start_day` to its `day`), and the visits active in the range, bucketed by
their last day (the visits' side). Page views are by the day they were made.

Visitors of a range are the union of its rows' visitor sketches. While every row read holds
at most 512 visitors the sketches are exact sets, and their union is counted exactly in SQL,
as the raw query counts them. Beyond that the rows' estimates are summed: cookieless visitor
ids change every day, so a visitor is in one day's rows only; identified visitors (user or
session ids) seen on several days count once a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from psycopg import AsyncConnection, sql

from eventlens.domain.stats_query import Breakdown, Site
from eventlens.projections.distinct_count import SPARSE_LIMIT
from eventlens.views.web_stats.columns import Params, dimension
from eventlens.views.web_stats.joined import Part, joined
from eventlens.views.web_stats.open_visits import open_visit_rows
from eventlens.views.web_stats.plan import plan
from eventlens.views.web_stats.rollup_shapes import PAGE, TIME_BUCKETS, VISIT_DIMENSIONS

LOOKBACK_DAYS = 7  # as the raw query, visits that started up to a week before the range
SITE_ROWS = """
SELECT s.timezone, s.schema_id, s.from_first_event,
       (SELECT max(r.visitors) FROM visit_rollups r
        WHERE r.container_id = s.container_id AND r.dimension = ''
          AND r.day BETWEEN %(first)s AND %(last_visit_day)s
          AND r.start_day BETWEEN %(first_start_day)s AND %(last)s),
       (SELECT max(p.visitors) FROM page_rollups p
        WHERE p.container_id = s.container_id AND p.day BETWEEN %(first)s AND %(last)s
          AND %(pages)s)
FROM rollup_sites s WHERE s.container_id = %(site)s
"""
INTEGER = "coalesce(sum({}), 0)::bigint"
SESSION_METRICS = {
    "visits": INTEGER.format("v.visits"),
    "visitors": INTEGER.format("v.visitors"),
    "bounce_rate": (
        "coalesce(round((sum(v.bounces)::float8 / nullif(sum(v.visits), 0)::float8) * 100), 0)"
        "::bigint"
    ),
    "visit_duration": (
        "coalesce(round((sum(v.duration_s)::numeric / nullif(sum(v.visits), 0))::float8), 0)"
        "::bigint"
    ),
    "views_per_visit": (
        "coalesce(round(sum(v.visit_pageviews)::float8 / nullif(sum(v.visits), 0)::float8 * 100)"
        " / 100, 0)"
    ),
}


async def rollup_rows(
    conn: AsyncConnection[Any], site: Site, breakdown: Breakdown
) -> list[tuple[Any, ...]] | None:
    """The breakdown's rows from the rollups; None when the site's rollups were not made in
    its current time zone or schema, or miss its events from before they existed (until a
    replay makes them again)."""
    span = breakdown.time_range
    first, last = span.first_date, span.last_date
    cursor = await conn.execute(
        SITE_ROWS,
        {
            "site": site.container_id,
            "first": first,
            "last": last,
            "last_visit_day": last + timedelta(days=LOOKBACK_DAYS),
            "first_start_day": first - timedelta(days=LOOKBACK_DAYS),
            "pages": PAGE in breakdown.dimensions,
        },
    )
    found = await cursor.fetchone()
    if found is None:
        return None
    timezone, schema, from_first_event, most_visitors, most_page_visitors = found
    if timezone != site.timezone or schema not in (None, site.schema_id) or not from_first_event:
        return None
    most = most_page_visitors if PAGE in breakdown.dimensions else most_visitors
    params = Params()
    query = RollupQuery(site, breakdown, params, exact=(most or 0) <= SPARSE_LIMIT)
    cursor = await conn.execute(query.statement(), params.values)
    return await cursor.fetchall()


class RollupQuery:
    def __init__(self, site: Site, breakdown: Breakdown, params: Params, *, exact: bool) -> None:
        self.breakdown = breakdown
        self.params = params
        self.exact = exact
        span = breakdown.time_range
        self.site = params.add(site.container_id)
        self.zone = params.add(site.timezone)
        self.first = params.add(span.first_date)
        self.last = params.add(span.last_date)
        self.dimension = breakdown.dimensions[0] if breakdown.dimensions else None

    def statement(self) -> sql.Composed:
        chosen = plan(self.breakdown)
        parts: list[Part] = []
        if self.dimension == PAGE:
            parts = self._counted(self._pages, chosen.counted_event_metrics)
        elif chosen.event_metrics:
            parts = self._counted(self._events, chosen.counted_event_metrics)
        if chosen.session_metrics or not parts:
            parts += self._counted(self._sessions, chosen.session_metrics)
        return joined(self.breakdown, parts, self.params)

    def _counted(self, part: Any, metrics: tuple[str, ...]) -> list[Part]:
        """A part's sums, then its visitors counted exactly from the sketches if they are."""
        if not (self.exact and "visitors" in metrics):
            return [(part(metrics, union=False), metrics)]
        summed = tuple(m for m in metrics if m != "visitors")
        return [
            (part(summed, union=False), summed),
            (part(("visitors",), union=True), ("visitors",)),
        ]

    # The parts ---------------------------------------------------------------------------

    def _events(self, metrics: tuple[str, ...], *, union: bool) -> sql.Composed:
        """The events' side: visits with an event in each bucket (a row counts in every
        bucket its days reach), page views by the day they were made."""
        bucketed = self.dimension in TIME_BUCKETS
        source: sql.Composable = self._visit_rows()
        if bucketed:
            source = sql.SQL("{} {}").format(source, self._covered_buckets())
        groups: list[sql.Composable] = [sql.SQL("c.b")] if bucketed else self._groups()
        made_in_range = sql.SQL("v.day <= {}").format(self.last)
        if bucketed:
            made_in_range = sql.SQL("{} AND {} = c.b").format(
                made_in_range, self._bucket(sql.SQL("v.day"))
            )
        pageviews = sql.SQL("coalesce(sum(v.pageviews) FILTER (WHERE {}), 0)::bigint").format(
            made_in_range
        )
        columns = {
            "visits": sql.SQL(INTEGER.format("v.visits")),
            "visitors": sql.SQL(INTEGER.format("v.visitors")),
            "pageviews": pageviews,
        }
        having = sql.SQL("sum(v.visits) > 0 OR sum(v.pageviews) FILTER (WHERE {}) > 0").format(
            made_in_range
        )
        return self._grouped(source, groups, metrics, columns, having, union, "v")

    def _sessions(self, metrics: tuple[str, ...], *, union: bool) -> sql.Composed:
        """The visits' side: visits active in the range, bucketed by their last day."""
        groups = self._groups()
        if self.dimension in TIME_BUCKETS:
            groups = [self._bucket(sql.SQL("v.day"))]
        columns = {m: sql.SQL(SESSION_METRICS[m]) for m in metrics}
        having = sql.SQL("sum(v.visits) > 0")
        return self._grouped(self._visit_rows(), groups, metrics, columns, having, union, "v")

    def _pages(self, metrics: tuple[str, ...], *, union: bool) -> sql.Composed:
        source = sql.SQL(
            "(SELECT p.*, p.page AS path FROM page_rollups p WHERE p.container_id = {} "
            "AND p.day BETWEEN {} AND {}) AS e"
        ).format(self.site, self.first, self.last)
        groups = [dimension(PAGE, "events", self.params, self.breakdown.time_range)]
        columns = {m: sql.SQL(INTEGER.format(f"e.{m}")) for m in metrics}
        return self._grouped(source, groups, metrics, columns, None, union, "e")

    # Their pieces --------------------------------------------------------------------------

    def _grouped(
        self,
        source: sql.Composable,
        groups: list[sql.Composable],
        metrics: tuple[str, ...],
        columns: Mapping[str, sql.Composable],
        having: sql.Composable | None,
        union: bool,
        alias: str,
    ) -> sql.Composed:
        selected: list[sql.Composable]
        if union:
            source = sql.SQL("{} {}").format(source, _hashes(alias))
            selected = [sql.SQL("count(DISTINCT hs.h) AS visitors")]
        else:
            selected = [sql.SQL("{} AS {}").format(columns[m], sql.Identifier(m)) for m in metrics]
        if not groups:
            return sql.SQL("SELECT {} FROM {}").format(
                sql.SQL(", ").join(selected or [sql.SQL("count(*) AS rows_read")]), source
            )
        named = [
            sql.SQL("{} AS {}").format(group, sql.Identifier(f"d{i}"))
            for i, group in enumerate(groups)
        ]
        grouping = sql.SQL(" GROUP BY {}").format(
            sql.SQL(", ").join(sql.SQL(str(i + 1)) for i in range(len(groups)))
        )
        if having is not None and not union:
            grouping = sql.SQL("{} HAVING {}").format(grouping, having)
        return sql.SQL("SELECT {} FROM {}{}").format(
            sql.SQL(", ").join([*named, *selected]), source, grouping
        )

    def _visit_rows(self) -> sql.Composed:
        """`visit_rollups v`: the rows of the site's visits that reach into the range, those
        still open included, with the attribute's value under its column's name in
        `visits`."""
        rolled = VISIT_DIMENSIONS.get(self.dimension or "", "")
        named = sql.SQL(", r.value AS {}").format(sql.Identifier(rolled)) if rolled else sql.SQL("")
        return sql.SQL(
            "(SELECT r.*{named} FROM (SELECT * FROM visit_rollups UNION ALL {open}) r "
            "WHERE r.container_id = {site} "
            "AND r.dimension = {dimension} AND r.day BETWEEN {first} AND {last}::date + {back} "
            "AND r.start_day BETWEEN {first}::date - {back} AND {last}) AS v"
        ).format(
            named=named,
            open=open_visit_rows(rolled, self.site, self.zone),
            site=self.site,
            dimension=sql.Literal(rolled),
            first=self.first,
            last=self.last,
            back=sql.Literal(LOOKBACK_DAYS),
        )

    def _groups(self) -> list[sql.Composable]:
        """The visit attribute's values as the dimensions show them (a country's code or
        name: one rolled-up attribute)."""
        if self.dimension is None or self.dimension in TIME_BUCKETS:
            return []
        span = self.breakdown.time_range
        return [dimension(d, "visits", self.params, span) for d in self.breakdown.dimensions]

    def _bucket(self, day: sql.Composable) -> sql.Composable:
        if self.dimension == "time:day":
            return sql.SQL("{}::date").format(day)
        if self.dimension == "time:week":
            return sql.SQL("greatest(date_trunc('week', {}::timestamp)::date, {})").format(
                day, self.first
            )
        return sql.SQL("date_trunc('month', {}::timestamp)::date").format(day)

    def _covered_buckets(self) -> sql.Composed:
        """`c.b`: each bucket a row's days reach within the range, once."""
        return sql.SQL(
            "CROSS JOIN LATERAL (SELECT DISTINCT {bucket} AS b FROM generate_series("
            "greatest(v.start_day, {first}), least(v.day, {last}), interval '1 day') AS g(d)) AS c"
        ).format(bucket=self._bucket(sql.SQL("g.d")), first=self.first, last=self.last)


def _hashes(alias: str) -> sql.Composed:
    """`hs.h`: each visitor hash of an exact (sparse) sketch: 8 bytes each after its tag."""
    sketch = sql.Identifier(alias, "visitor_sketch")
    return sql.SQL(
        "CROSS JOIN LATERAL (SELECT substring({s} FROM 2 + 8 * i FOR 8) AS h "
        "FROM generate_series(0, length({s}) / 8 - 1) AS i) AS hs"
    ).format(s=sketch)
