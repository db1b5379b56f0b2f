/**
 * Goals on the site dashboard: the card's query (conversions by goal, as the Stats API
 * answers them) and the goals themselves (`/api/goals/`), as the site's settings manage them.
 */
import type { StatsQuery, StatsRow } from './statsApi';

/** Revenue as the Stats API answers it. */
export interface Money {
  short: string;
  long: string;
  value: number;
  currency: string;
}

export interface GoalOut {
  id: string;
  site_id: string;
  name: string;
  display_name: string;
  goal_type: 'event' | 'page';
  event_name: string | null;
  page_path: string | null;
  currency: string | null;
  created_at: string;
}

export interface GoalIn {
  site_id: string;
  event_name?: string;
  page_path?: string;
  display_name?: string;
  currency?: string;
}

/** One row of the Goals card. */
export interface GoalConversions {
  goal: string;
  uniques: number;
  total: number;
  rate: number;
  revenue: Money | null;
}

export const GOAL = 'event:goal';

export const goalsPath = (siteId: string) => `/api/goals/?site_id=${encodeURIComponent(siteId)}`;

/** Unique and total conversions, conversion rate and revenue, by goal, most converted first. */
export function goalsQuery(scope: { siteId: string; dateRange: StatsQuery['date_range']; filters: NonNullable<StatsQuery['filters']> }): StatsQuery {
  return {
    site_id: scope.siteId,
    metrics: ['visitors', 'events', 'conversion_rate', 'total_revenue'],
    date_range: scope.dateRange,
    filters: scope.filters,
    dimensions: [GOAL],
    order_by: [['visitors', 'desc']],
  };
}

const numberOf = (value: unknown): number => (typeof value === 'number' ? value : 0);

function moneyOf(value: unknown): Money | null {
  if (value && typeof value === 'object' && 'long' in value && 'currency' in value) return value as Money;
  return null;
}

export function goalConversions(rows: StatsRow[]): GoalConversions[] {
  return rows.map((row) => {
    const metrics = row.metrics as unknown[];
    return { goal: row.dimensions[0] ?? '', uniques: numberOf(metrics[0]), total: numberOf(metrics[1]), rate: numberOf(metrics[2]), revenue: moneyOf(metrics[3]) };
  });
}

/** What the settings form sends: an event or a page goal, blanks left out. */
export function goalBody(siteId: string, kind: 'event' | 'page', target: string, displayName: string, currency: string): GoalIn {
  const body: GoalIn = { site_id: siteId };
  if (kind === 'event') body.event_name = target.trim();
  else body.page_path = target.trim();
  if (displayName.trim()) body.display_name = displayName.trim();
  if (kind === 'event' && currency.trim()) body.currency = currency.trim().toUpperCase();
  return body;
}
