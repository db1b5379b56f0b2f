/**
 * Plausible's Stats API v2 as the site dashboard speaks it: the request and answer shapes
 * (`POST /api/v2/query`, and GraphQL's `webStats`, which takes and gives the same JSON), and
 * the few queries the dashboard builds.
 */

export type Metric =
  | 'visitors'
  | 'visits'
  | 'pageviews'
  | 'views_per_visit'
  | 'bounce_rate'
  | 'visit_duration'
  | 'events'
  | 'percentage'
  | 'time_on_page'
  | 'scroll_depth'
  | 'conversion_rate'
  | 'group_conversion_rate'
  | 'total_revenue'
  | 'average_revenue';

export type FilterOperator = 'is' | 'is_not' | 'contains' | 'contains_not' | 'has_done' | 'has_not_done';

export type ConditionOperator = Exclude<FilterOperator, 'has_done' | 'has_not_done'>;

/** `[operator, dimension, values]`, or a behaviour (visits that did, or did not do, what the condition says); combined with "and" when several are given. */
export type StatsFilter = [ConditionOperator, string, string[]] | ['has_done' | 'has_not_done', [ConditionOperator, string, string[]]];

export type DateRange = string | [string, string];

export interface StatsQuery {
  site_id: string;
  metrics: Metric[];
  date_range: DateRange;
  dimensions?: string[];
  filters?: StatsFilter[];
  order_by?: Array<[string, 'asc' | 'desc']>;
  include?: { time_labels?: boolean; total_rows?: boolean; comparisons?: { mode: 'previous_period' } };
  pagination?: { limit: number; offset: number };
}

export interface StatsRow {
  metrics: Array<number | null>;
  dimensions: string[];
  comparison?: { dimensions: string[]; metrics: Array<number | null>; change: Array<number | null> };
}

export interface StatsAnswer {
  results: StatsRow[];
  meta: { time_labels?: string[]; total_rows?: number };
  /** The query as the server understood it; `date_range` is resolved to two date-times in the site's zone. */
  query: { date_range: [string, string] } & Record<string, unknown>;
}

interface Scope {
  siteId: string;
  dateRange: DateRange;
  filters: StatsFilter[];
}

/** The top graph's figures, in the order of `metrics`, each with the previous period's. */
export function totalsQuery(scope: Scope, metrics: Metric[]): StatsQuery {
  return {
    site_id: scope.siteId,
    metrics,
    date_range: scope.dateRange,
    filters: scope.filters,
    include: { comparisons: { mode: 'previous_period' } },
  };
}

/** One metric over time, every bucket of the range named (`time_labels`), with the previous period's. */
export function timeSeriesQuery(scope: Scope, metric: Metric, interval: string): StatsQuery {
  return {
    site_id: scope.siteId,
    metrics: [metric],
    date_range: scope.dateRange,
    filters: scope.filters,
    dimensions: [interval],
    include: { time_labels: true, comparisons: { mode: 'previous_period' } },
  };
}

/** Visitors and their share by `dimensions`, most visitors first, one page of rows. */
export function breakdownQuery(scope: Scope, dimensions: string[], page: { limit: number; offset: number }): StatsQuery {
  return {
    site_id: scope.siteId,
    metrics: ['visitors', 'percentage'],
    date_range: scope.dateRange,
    filters: scope.filters,
    dimensions,
    order_by: [['visitors', 'desc']],
    include: { total_rows: true },
    pagination: page,
  };
}

/** Reads a number the API answered (a metric may be null when it has no value). */
export function metricValue(row: StatsRow | undefined, index: number): number | null {
  const value = row?.metrics[index];
  return typeof value === 'number' ? value : null;
}
