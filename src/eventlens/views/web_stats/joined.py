"""A breakdown's parts joined into one statement: the first part's rows, each with the other
parts' metrics for the same dimension values, ordered, paged and counted."""

from __future__ import annotations

from psycopg import sql

from eventlens.domain.stats_query import Breakdown
from eventlens.domain.stats_query.vocabulary import is_time
from eventlens.views.web_stats.columns import Params

NULLABLE = ("time_on_page", "scroll_depth", "total_revenue", "average_revenue")
MAX_OFFSET = 2**62  # any offset beyond is past every row, and fits PostgreSQL's bigint
Part = tuple[sql.Composed, tuple[str, ...]]  # a grouped query, and the metrics it selects


def joined(breakdown: Breakdown, parts: list[Part], params: Params) -> sql.Composed:
    """The first part's rows, each with the other parts' metrics for the same dimensions."""
    count = len(breakdown.dimensions)
    sources: list[sql.Composable] = [sql.SQL("({}) AS m0").format(parts[0][0])]
    metric_columns: dict[str, sql.Composable] = {}
    for index, (part, metrics) in enumerate(parts):
        alias = f"m{index}"
        if index:
            same: list[sql.Composable] = [
                sql.SQL("m0.{0} IS NOT DISTINCT FROM {1}.{0}").format(
                    sql.Identifier(f"d{i}"), sql.Identifier(alias)
                )
                for i in range(count)
            ]
            sources.append(
                sql.SQL("LEFT JOIN ({}) AS {} ON {}").format(
                    part, sql.Identifier(alias), sql.SQL(" AND ").join(same or [sql.SQL("TRUE")])
                )
            )
        for metric in metrics:
            value: sql.Composable = sql.Identifier(alias, metric)
            if index and metric not in NULLABLE:
                value = sql.SQL("coalesce({}, 0)").format(value)
            metric_columns[metric] = value
    columns: list[sql.Composable] = [sql.Identifier("m0", f"d{i}") for i in range(count)]
    columns += [
        sql.SQL("{} AS {}").format(metric_columns[m], sql.Identifier(m)) for m in breakdown.metrics
    ]
    columns.append(sql.SQL("count(*) OVER () AS total_rows"))
    statement = sql.SQL("SELECT {} FROM {}{}").format(
        sql.SQL(", ").join(columns), sql.SQL(" ").join(sources), _order(breakdown, metric_columns)
    )
    if breakdown.limit is not None:
        statement = sql.SQL("{} LIMIT {} OFFSET {}").format(
            statement, params.add(breakdown.limit), params.add(min(breakdown.offset, MAX_OFFSET))
        )
    return statement


def _order(breakdown: Breakdown, metrics: dict[str, sql.Composable]) -> sql.Composable:
    """The requested order, then the dimensions ascending so that equal rows keep one order."""
    keys: list[sql.Composable] = []
    for value, way in breakdown.order_by:
        direction = sql.SQL("DESC" if way == "desc" else "ASC")
        if value in metrics:
            keys.append(sql.SQL("{} {} NULLS LAST").format(metrics[value], direction))
        elif value in breakdown.dimensions:
            keys.append(sql.SQL("{} {}").format(_dimension_key(breakdown, value), direction))
    keys += [_dimension_key(breakdown, d) for d in breakdown.dimensions]
    if not keys:
        return sql.SQL("")
    return sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(keys))


def _dimension_key(breakdown: Breakdown, dimension: str) -> sql.Composable:
    column = sql.Identifier("m0", f"d{breakdown.dimensions.index(dimension)}")
    if is_time(dimension):
        return column
    return sql.SQL('{} COLLATE "C"').format(column)
