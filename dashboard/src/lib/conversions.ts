/**
 * Funnels and retention as the site dashboard speaks them: `POST /api/v2/funnel` and
 * `POST /api/v2/retention` (their answers), the site's goals (`/api/goals/`) and saved funnels
 * (`/api/funnels/`), and the link from a funnel's drop-off to the site dashboard filtered to
 * the visits that reached a step and not the next.
 */
import { rest } from './http';
import { formatFilter, type SiteFilter } from './siteFilters';
import type { DateRange } from './statsApi';

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
export const saveFunnel = (body: { site_id: string; name: string; steps: string[]; within: string }) => rest<SavedFunnel>('POST', '/api/funnels/', body);
export const deleteFunnel = (id: string) => rest<SavedFunnel>('DELETE', `/api/funnels/${encodeURIComponent(id)}`);

export function askFunnel(siteId: string, dateRange: DateRange, steps: string[], within: string): Promise<FunnelAnswer> {
  return rest<FunnelAnswer>('POST', '/api/v2/funnel', { site_id: siteId, date_range: dateRange, steps, within });
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

/** The site dashboard's address for those visits, in the same period (`search` keeps the period's parameters). */
export function dropoffHref(pathname: string, search: string, steps: string[], index: number): string {
  const params = new URLSearchParams(search);
  params.delete('f');
  for (const filter of dropoffFilters(steps, index)) params.append('f', formatFilter(filter));
  return `${pathname}?${params.toString()}`;
}

/** Steps chosen so far, checked: 2 to 8, each a different goal. */
export function stepsProblem(steps: string[]): string | null {
  const chosen = steps.filter(Boolean);
  if (chosen.length < MIN_STEPS) return `Choose at least ${MIN_STEPS} steps.`;
  if (new Set(chosen).size !== chosen.length) return 'Each step must be a different goal.';
  return null;
}
