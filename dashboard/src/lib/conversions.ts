/**
 * Funnels and retention as the site dashboard speaks them: `POST /api/v2/funnel` and
 * `POST /api/v2/retention` (their answers), the site's goals (`/api/goals/`) and saved funnels
 * (`/api/funnels/`), and the link from a funnel's drop-off to the site dashboard filtered to
 * the visits that reached a step and not the next.
 */
import { rest } from './http';
import { formatFilter, parseFilters, type SiteFilter } from './siteFilters';
import type { DateRange, StatsFilter } from './statsApi';

export interface Goal {
  id: string;
  name: string;
  display_name: string;
}

export interface SavedFunnel {
  id: string;
  site_id: string;
  name: string;
  steps: string[];
  within: string;
  /** The visit dimension the funnel is broken down by, or null. */
  breakdown: string | null;
  created_at: string;
}

export interface FunnelStep {
  step: number;
  goal: string;
  visitors: number;
  conversion_rate: number;
  dropoff: number;
  dropoff_rate: number;
}

export interface FunnelAnswer {
  steps: FunnelStep[];
  /** With a breakdown: each value of the dimension, most first-step visitors first. */
  breakdown?: Array<{ value: string; steps: FunnelStep[] }>;
  query: { date_range: [string, string]; within: string } & Record<string, unknown>;
}

export interface RetentionAnswer {
  identified_users_only: true;
  notice: string;
  period: 'day' | 'week';
  cohorts: Array<{ cohort: string; users: number; retention: Array<{ period: number; users: number; percentage: number }> }>;
}

export const MIN_STEPS = 2;
export const MAX_STEPS = 8;

export const WINDOWS: Array<{ value: string; label: string }> = [
  { value: 'visit', label: 'Within one visit' },
  { value: '1d', label: 'Within 1 day' },
  { value: '7d', label: 'Within 7 days' },
  { value: '30d', label: 'Within 30 days' },
];

export const goalsOf = (siteId: string) => rest<Goal[]>('GET', `/api/goals/?site_id=${encodeURIComponent(siteId)}`);
export const savedFunnelsOf = (siteId: string) => rest<SavedFunnel[]>('GET', `/api/funnels/?site_id=${encodeURIComponent(siteId)}`);
export const saveFunnel = (body: { site_id: string; name: string; steps: string[]; within: string; breakdown?: string }) => rest<SavedFunnel>('POST', '/api/funnels/', body);
export const deleteFunnel = (id: string) => rest<SavedFunnel>('DELETE', `/api/funnels/${encodeURIComponent(id)}`);

/** The visit dimensions a funnel can be broken down by (of the visit that reached its first step). */
export const FUNNEL_BREAKDOWNS: Array<{ value: string; label: string }> = [
  { value: 'visit:source', label: 'Source' },
  { value: 'visit:channel', label: 'Channel' },
  { value: 'visit:device', label: 'Device' },
  { value: 'visit:browser', label: 'Browser' },
  { value: 'visit:os', label: 'OS' },
  { value: 'visit:country', label: 'Country' },
  { value: 'visit:utm_source', label: 'UTM source' },
  { value: 'visit:utm_medium', label: 'UTM medium' },
  { value: 'visit:utm_campaign', label: 'UTM campaign' },
  { value: 'visit:utm_content', label: 'UTM content' },
  { value: 'visit:utm_term', label: 'UTM term' },
];

export interface FunnelAsk {
  steps: string[];
  within: string;
  /** The site dashboard's filters, as the other cards send them. */
  filters: StatsFilter[];
  breakdown: string | null;
}

/** `filters` and `breakdown` are sent only when there are any. */
export function askFunnel(siteId: string, dateRange: DateRange, { steps, within, filters, breakdown }: FunnelAsk): Promise<FunnelAnswer> {
  return rest<FunnelAnswer>('POST', '/api/v2/funnel', {
    site_id: siteId,
    date_range: dateRange,
    steps,
    within,
    ...(filters.length ? { filters } : {}),
    ...(breakdown ? { breakdown } : {}),
  });
}

export function askRetention(siteId: string, dateRange: DateRange, period: 'day' | 'week', start: string): Promise<RetentionAnswer> {
  return rest<RetentionAnswer>('POST', '/api/v2/retention', { site_id: siteId, date_range: dateRange, period, start });
}

/** The filters of the visits that dropped off after step `index` (0-based): they reached it, and not the next. */
export function dropoffFilters(steps: string[], index: number): SiteFilter[] {
  return [
    { op: 'has_done', dimension: 'event:goal', value: steps[index] },
    { op: 'has_not_done', dimension: 'event:goal', value: steps[index + 1] },
  ];
}

/**
 * The site dashboard's address for those visits, in the same period and with the page's other
 * filters (the funnel counted with them); an earlier drop-off's filters are replaced.
 */
export function dropoffHref(pathname: string, search: string, steps: string[], index: number): string {
  const params = new URLSearchParams(search);
  const kept = parseFilters(params).filter((f) => !f.op.startsWith('has_'));
  params.delete('f');
  for (const filter of [...kept, ...dropoffFilters(steps, index)]) params.append('f', formatFilter(filter));
  return `${pathname}?${params.toString()}`;
}

/** Steps chosen so far, checked: 2 to 8, each a different goal. */
export function stepsProblem(steps: string[]): string | null {
  const chosen = steps.filter(Boolean);
  if (chosen.length < MIN_STEPS) return `Choose at least ${MIN_STEPS} steps.`;
  if (new Set(chosen).size !== chosen.length) return 'Each step must be a different goal.';
  return null;
}
