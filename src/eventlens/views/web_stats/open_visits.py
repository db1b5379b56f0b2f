"""The visits not rolled up yet, as rows of `visit_rollups`.

The events projection rolls a visit up once it is over (`projections/visits.py`); until then
it is only in `visits`, marked `NOT rolled`. These are few (the visits of the last half hour
or so), so a query answered from the rollups adds them as rows of its own, made here in SQL
as the projection would make them: for the visit's last day its counts, the page views made
that day (none for exit pages) and its visitor (a sketch of one hash), and for its first day,
when it crossed midnight in the site's zone, the page views made before.
"""

from __future__ import annotations

from psycopg import sql

from eventlens.projections.rollup_writes import SPARSE
from eventlens.projections.visit_rollups import EXIT_PAGE

_ROWS = """
SELECT o.container_id, {dimension}::text AS dimension, x.day, {value} AS value, o.start_day,
       x.visits, x.bounces, x.duration_s, x.visit_pageviews, x.pageviews, x.visitors,
       x.visitor_sketch
FROM (SELECT v.*, (v.started_at AT TIME ZONE {zone})::date AS start_day,
             (v.ended_at AT TIME ZONE {zone})::date AS end_day,
             CASE WHEN (v.started_at AT TIME ZONE {zone})::date
                       = (v.ended_at AT TIME ZONE {zone})::date
                  THEN v.pageviews
                  ELSE least(greatest(coalesce(v.last_day_pageviews, v.pageviews), 0),
                             v.pageviews) END AS last_day_views
      FROM visits v WHERE v.container_id = {site} AND NOT v.rolled) AS o
CROSS JOIN LATERAL (VALUES
    (o.end_day, 1::bigint, (o.pageviews <= 1 AND o.interactive = 0)::int::bigint,
     extract(epoch FROM date_trunc('second', o.ended_at)
                        - date_trunc('second', o.started_at))::bigint,
     o.pageviews::bigint, {last_day_views}::bigint, 1::bigint, {sketch}),
    (o.start_day, 0::bigint, 0::bigint, 0::bigint, 0::bigint,
     {first_day_views}::bigint, 0::bigint, ''::bytea)
) AS x(day, visits, bounces, duration_s, visit_pageviews, pageviews, visitors, visitor_sketch)
WHERE x.visits = 1 OR (o.start_day <> o.end_day AND x.pageviews > 0)
"""


def open_visit_rows(attribute: str, site: sql.Composable, zone: sql.Composable) -> sql.Composed:
    """The site's open visits as `visit_rollups` rows of `attribute` (a column of `visits`,
    or '' for the site's totals)."""
    if attribute == EXIT_PAGE:
        last_day_views: sql.Composable = sql.SQL("0")
        first_day_views: sql.Composable = sql.SQL("0")
    else:
        last_day_views = sql.SQL("o.last_day_views")
        first_day_views = sql.SQL("o.pageviews - o.last_day_views")
    sketch = sql.SQL("coalesce({} || o.visitor_hash, ''::bytea)").format(
        sql.Literal(bytes([SPARSE]))
    )
    value = (
        sql.SQL("coalesce({}, '')").format(sql.Identifier("o", attribute))
        if attribute
        else sql.SQL("''")
    )
    return sql.SQL(_ROWS).format(
        dimension=sql.Literal(attribute),
        value=value,
        zone=zone,
        site=site,
        last_day_views=last_day_views,
        first_day_views=first_day_views,
        sketch=sketch,
    )
