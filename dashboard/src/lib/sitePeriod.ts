/**
 * The site dashboard's periods: the Stats API's shorthands, whose days are the site's (its
 * time zone), or two dates. The server resolves them; the dashboard shows the days it chose.
 */
import type { DateRange } from './statsApi';

export type PeriodPreset = 'day' | '7d' | '28d' | '30d' | 'month' | '6mo' | '12mo';

export interface SitePeriod {
  kind: PeriodPreset | 'custom';
  /** Custom periods: first and last day, inclusive, `YYYY-MM-DD` in the site's time zone. */
  from?: string;
  to?: string;
}

export const PERIODS: Array<{ value: PeriodPreset; label: string; short: string }> = [
  { value: 'day', label: 'Today', short: 'Today' },
  { value: '7d', label: 'The 7 days before today', short: '7d' },
  { value: '28d', label: 'The 28 days before today', short: '28d' },
  { value: '30d', label: 'The 30 days before today', short: '30d' },
  { value: 'month', label: 'This month', short: 'Month' },
  { value: '6mo', label: 'The 6 whole months before this one', short: '6mo' },
  { value: '12mo', label: 'The 12 whole months before this one', short: '12mo' },
];

export const DEFAULT_PERIOD: SitePeriod = { kind: '28d' };

const DAY_MS = 86_400_000;

export function isPeriodPreset(value: string | null | undefined): value is PeriodPreset {
  return PERIODS.some((p) => p.value === value);
}

function isDay(value: string | undefined): value is string {
  return !!value && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** A custom period with both days valid and in order; anything else falls back to the default. */
export function validPeriod(period: SitePeriod): SitePeriod {
  if (period.kind !== 'custom') return period;
  return isDay(period.from) && isDay(period.to) && period.from <= period.to ? period : DEFAULT_PERIOD;
}

export function dateRangeOf(period: SitePeriod): DateRange {
  const valid = validPeriod(period);
  return valid.kind === 'custom' ? [valid.from!, valid.to!] : valid.kind;
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The time dimension of the graph: hours for one day, months for half a year or more, else days. */
export function intervalOf(period: SitePeriod): 'time:hour' | 'time:day' | 'time:month' {
  const valid = validPeriod(period);
  if (valid.kind === 'day') return 'time:hour';
  if (valid.kind === '6mo' || valid.kind === '12mo') return 'time:month';
  if (valid.kind === 'custom') {
    const days = daysBetween(valid.from!, valid.to!);
    if (days === 1) return 'time:hour';
    if (days > 92) return 'time:month';
  }
  return 'time:day';
}

/** Whether the period can still change: it holds today, in the site's time zone. */
export function includesToday(period: SitePeriod, timezone: string, now: Date = new Date()): boolean {
  const valid = validPeriod(period);
  if (valid.kind === 'day' || valid.kind === 'month') return true;
  if (valid.kind !== 'custom') return false;
  const today = todayIn(timezone, now);
  return valid.from! <= today && today <= valid.to!;
}

/** Today's date, `YYYY-MM-DD`, in `timezone` (an IANA name; UTC when the browser does not know it). */
export function todayIn(timezone: string, now: Date = new Date()): string {
  const format = (zone: string) => new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  try {
    return format(timezone);
  } catch {
    return format('UTC');
  }
}

/** The day `days` after (or before) `day`. */
export function shiftDay(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const dayFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dayNoYearFormat = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });

/** "29 Nov – 5 Dec 2026" from the date-times the server resolved the period to (in the site's zone). */
export function describeDays(resolved: [string, string]): string {
  const [first, last] = resolved.map((value) => new Date(`${value.slice(0, 10)}T00:00:00Z`));
  if (Number.isNaN(first.getTime()) || Number.isNaN(last.getTime())) return '';
  if (first.getTime() === last.getTime()) return dayFormat.format(first);
  const sameYear = first.getUTCFullYear() === last.getUTCFullYear();
  return `${(sameYear ? dayNoYearFormat : dayFormat).format(first)} – ${dayFormat.format(last)}`;
}

export function periodLabel(period: SitePeriod): string {
  const valid = validPeriod(period);
  if (valid.kind === 'custom') return `${valid.from} – ${valid.to}`;
  return PERIODS.find((p) => p.value === valid.kind)!.label;
}

/** Now as the API writes a time bucket, `YYYY-MM-DD HH:MM:SS`, in `timezone`. */
export function nowStampIn(timezone: string, now: Date = new Date()): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = format(timezone);
  } catch {
    parts = format('UTC');
  }
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')}`;
}

const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const weekdayFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });

/** A time bucket's label (`2026-12-06`, `2026-12-06 18:00:00`) as the graph's axis shows it. */
export function bucketLabel(label: string, interval: string, long = false): string {
  const day = new Date(`${label.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(day.getTime())) return label;
  if (interval === 'time:hour') return long ? `${dayFormat.format(day)}, ${label.slice(11, 16)}` : label.slice(11, 16);
  if (interval === 'time:month') return monthFormat.format(day);
  return long ? weekdayFormat.format(day) : dayNoYearFormat.format(day);
}
