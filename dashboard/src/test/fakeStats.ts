/**
 * A stand-in for the Stats API in component tests: it answers `webStats` queries over the
 * visits in `fakeVisits` (each visit one visitor's, with one page), honouring `is` filters,
 * one breakdown dimension, time buckets, pagination, total rows and the previous period
 * (`previousTotals`, compared as the server compares them). A visit that reached a goal has
 * it as its `event:goal` dimension (and its `revenue`, in euros, if any): a breakdown by goal
 * lists only those.
 */
import type { StatsAnswer, StatsQuery, StatsRow } from '../lib/statsApi';

export interface FakeVisit {
  visitor: string;
  day: string;
  pageviews: number;
  duration: number;
  dimensions: Record<string, string>;
  revenue?: number;
}

export const fakeVisits: FakeVisit[] = [];

/** The previous period's totals, by metric. */
export const previousTotals: Record<string, number> = {};

export const queriesAsked: StatsQuery[] = [];

export function visit(visitor: string, day: string, dimensions: Record<string, string>, pageviews = 1, duration = 0): FakeVisit {
  return { visitor, day, pageviews, duration, dimensions: { 'visit:source': 'Direct / None', 'visit:channel': 'Direct', 'event:page': '/', 'visit:device': 'Desktop', ...dimensions } };
}

export function resetFakeStats(): void {
  fakeVisits.length = 0;
  queriesAsked.length = 0;
  for (const key of Object.keys(previousTotals)) delete previousTotals[key];
}

function totals(visits: FakeVisit[], all: FakeVisit[]): Record<string, number> {
  const visitors = new Set(visits.map((v) => v.visitor)).size;
  const everyone = new Set(all.map((v) => v.visitor)).size;
  const count = visits.length;
  return {
    visitors,
    visits: count,
    pageviews: visits.reduce((sum, v) => sum + v.pageviews, 0),
    bounce_rate: count ? Math.round((100 * visits.filter((v) => v.pageviews === 1).length) / count) : 0,
    visit_duration: count ? Math.round(visits.reduce((sum, v) => sum + v.duration, 0) / count) : 0,
    percentage: everyone ? Math.round((1000 * visitors) / everyone) / 10 : 0,
    events: count,
    conversion_rate: fakeVisits.length ? Math.round((10000 * visitors) / new Set(fakeVisits.map((v) => v.visitor)).size) / 100 : 0,
  };
}

function revenueOf(visits: FakeVisit[]): unknown {
  const paid = visits.filter((v) => v.revenue !== undefined);
  if (!paid.length) return null;
  const sum = paid.reduce((total, v) => total + (v.revenue ?? 0), 0);
  return { short: `€${sum.toFixed(2)}`, long: `€${sum.toFixed(2)}`, value: sum, currency: 'EUR' };
}

function change(metric: string, before: number, now: number): number | null {
  if (metric === 'bounce_rate') return before > 0 ? now - before : null;
  if (before === 0) return now > 0 ? 100 : 0;
  return Math.round(((now - before) / before) * 100);
}

export function answerStats(query: StatsQuery): StatsAnswer {
  queriesAsked.push(query);
  const matching = fakeVisits.filter((v) => (query.filters ?? []).every(([op, dimension, values]) => op === 'is' && values.includes(v.dimensions[dimension] ?? '')));
  const metricsOf = (visits: FakeVisit[]) => {
    const t = totals(visits, matching);
    return query.metrics.map((m) => (m === 'total_revenue' ? revenueOf(visits) : (t[m] ?? 0))) as number[];
  };
  const dimensions = query.dimensions ?? [];
  const days = [...new Set(fakeVisits.map((v) => v.day))].sort();
  const resolved: [string, string] = [`${days[0] ?? '2026-01-01'}T00:00:00+00:00`, `${days[days.length - 1] ?? '2026-01-01'}T23:59:59+00:00`];
  if (dimensions.length === 0) {
    const metrics = metricsOf(matching);
    const row: StatsRow = { metrics, dimensions: [] };
    if (query.include?.comparisons) {
      const before = query.metrics.map((m) => previousTotals[m] ?? 0);
      row.comparison = { dimensions: [], metrics: before, change: query.metrics.map((m, i) => change(m, before[i], metrics[i])) };
    }
    return { results: [row], meta: {}, query: { ...query, date_range: resolved } };
  }
  if (dimensions[0].startsWith('time')) {
    const results = days.map((day) => ({ metrics: metricsOf(matching.filter((v) => v.day === day)), dimensions: [day] }));
    return { results, meta: { time_labels: days }, query: { ...query, date_range: resolved } };
  }
  const groups = new Map<string, FakeVisit[]>();
  for (const v of matching) {
    if (dimensions.includes('event:goal') && v.dimensions['event:goal'] === undefined) continue;
    const key = JSON.stringify(dimensions.map((d) => v.dimensions[d] ?? ''));
    groups.set(key, [...(groups.get(key) ?? []), v]);
  }
  const rows = [...groups.entries()]
    .map(([key, visits]) => ({ metrics: metricsOf(visits), dimensions: JSON.parse(key) as string[] }))
    .sort((a, b) => (b.metrics[0] ?? 0) - (a.metrics[0] ?? 0) || a.dimensions[0].localeCompare(b.dimensions[0]));
  const { limit, offset } = query.pagination ?? { limit: 10_000, offset: 0 };
  return {
    results: rows.slice(offset, offset + limit),
    meta: query.include?.total_rows ? { total_rows: rows.length } : {},
    query: { ...query, date_range: resolved },
  };
}
