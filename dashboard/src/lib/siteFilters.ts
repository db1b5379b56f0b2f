/**
 * The site dashboard's filters: what clicking a row adds, how each is named on its chip, and
 * how it is written in the URL: one `f` parameter per filter, `operator,dimension,value`
 * (the value last, so it may hold commas itself).
 */
import type { FilterOperator, StatsFilter } from './statsApi';

export interface SiteFilter {
  op: FilterOperator;
  dimension: string;
  value: string;
}

const OPERATORS: Record<FilterOperator, string> = { is: 'is', is_not: 'is not', contains: 'contains', contains_not: 'does not contain', has_done: 'reached', has_not_done: 'did not reach' };

export const DIMENSION_LABELS: Record<string, string> = {
  'visit:source': 'Source',
  'visit:referrer': 'Referrer',
  'visit:channel': 'Channel',
  'visit:utm_source': 'UTM source',
  'visit:utm_medium': 'UTM medium',
  'visit:utm_campaign': 'UTM campaign',
  'visit:utm_content': 'UTM content',
  'visit:utm_term': 'UTM term',
  'event:page': 'Page',
  'event:hostname': 'Hostname',
  'event:name': 'Event',
  'event:goal': 'Goal',
  'visit:entry_page': 'Entry page',
  'visit:exit_page': 'Exit page',
  'visit:country': 'Country',
  'visit:country_name': 'Country',
  'visit:region_name': 'Region',
  'visit:city_name': 'City',
  'visit:device': 'Device',
  'visit:browser': 'Browser',
  'visit:browser_version': 'Browser version',
  'visit:os': 'OS',
  'visit:os_version': 'OS version',
};

export function dimensionLabel(dimension: string): string {
  if (DIMENSION_LABELS[dimension]) return DIMENSION_LABELS[dimension];
  const prop = /^event:props:(.+)$/.exec(dimension);
  return prop ? `Property ${prop[1]}` : dimension;
}

/** What an empty value (a visit without a place, an event without a page) is shown as. */
export const EMPTY_VALUE_LABEL = '(none)';

export function valueLabel(value: string): string {
  return value === '' ? EMPTY_VALUE_LABEL : value;
}

/** "Source is Google". */
export function describeFilter(filter: SiteFilter): string {
  if (filter.op === 'has_done') return `Reached ${valueLabel(filter.value)}`;
  if (filter.op === 'has_not_done') return `Did not reach ${valueLabel(filter.value)}`;
  return `${dimensionLabel(filter.dimension)} ${OPERATORS[filter.op]} ${valueLabel(filter.value)}`;
}

function isOperator(value: string): value is FilterOperator {
  return value in OPERATORS;
}

/** `is,visit:source,Google` → a filter; null for anything malformed. */
export function parseFilter(text: string): SiteFilter | null {
  const first = text.indexOf(',');
  const second = first < 0 ? -1 : text.indexOf(',', first + 1);
  if (second < 0) return null;
  const op = text.slice(0, first);
  const dimension = text.slice(first + 1, second);
  if (!isOperator(op) || !/^(visit|event):[\w:.-]+$/.test(dimension)) return null;
  return { op, dimension, value: text.slice(second + 1) };
}

export function formatFilter(filter: SiteFilter): string {
  return `${filter.op},${filter.dimension},${filter.value}`;
}

export function parseFilters(params: URLSearchParams): SiteFilter[] {
  return params.getAll('f').flatMap((text) => {
    const filter = parseFilter(text);
    return filter ? [filter] : [];
  });
}

/** Adds `filter`; one on the same dimension is replaced (behaviours aside: a drop-off is two of them) (two `is` on one dimension would match nothing). */
export function withFilter(filters: SiteFilter[], filter: SiteFilter): SiteFilter[] {
  return [...filters.filter((f) => f.dimension !== filter.dimension || f.op.startsWith('has_')), filter];
}

export function withoutFilter(filters: SiteFilter[], index: number): SiteFilter[] {
  return filters.filter((_, i) => i !== index);
}

export function toStatsFilters(filters: SiteFilter[]): StatsFilter[] {
  return filters.map((f): StatsFilter => (f.op === 'has_done' || f.op === 'has_not_done' ? [f.op, ['is', f.dimension, [f.value]]] : [f.op, f.dimension, [f.value]]));
}
