/** Time ranges: presets and custom dates, the previous period, and the chart resolution. */

export type Preset = '1h' | '24h' | '7d' | '30d';
export type RangeKind = Preset | 'custom';
export type Resolution = 'MINUTE' | 'HOUR' | 'DAY';

export const PRESETS: Array<{ value: Preset; label: string; short: string }> = [
  { value: '1h', label: 'Last hour', short: '1h' },
  { value: '24h', label: 'Last 24 hours', short: '24h' },
  { value: '7d', label: 'Last 7 days', short: '7d' },
  { value: '30d', label: 'Last 30 days', short: '30d' },
];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DURATION: Record<Preset, number> = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY };

export interface RangeSelection {
  kind: RangeKind;
  /** custom ranges: first and last day, inclusive, as YYYY-MM-DD in local time */
  from?: string;
  to?: string;
}

/** The API's StatsInput shape (only the range part). */
export interface RangeInput {
  days?: number | null;
  hours?: number | null;
  start?: string | null;
  end?: string | null;
}

export interface ResolvedRange {
  start: Date;
  end: Date;
  resolution: Resolution;
  /** What to send to `stats`/`timeSeries`/`liveStats`. Presets slide with time on the server. */
  input: RangeInput;
  /** The period of the same length just before. */
  previous: { start: Date; end: Date; input: RangeInput };
  label: string;
  /** The range's end is now (or later): new events land in it. */
  live: boolean;
}

export function isPreset(value: string | null | undefined): value is Preset {
  return value === '1h' || value === '24h' || value === '7d' || value === '30d';
}

/** A local date `YYYY-MM-DD` at local midnight, or null when malformed. */
export function parseDay(value: string | undefined | null): Date | null {
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const [y, m, d] = value.split('-').map(Number);
  const date = new Date(y, m - 1, d);
  return date.getFullYear() === y && date.getMonth() === m - 1 && date.getDate() === d ? date : null;
}

export function formatDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function resolutionFor(spanMs: number): Resolution {
  if (spanMs <= 3 * HOUR) return 'MINUTE';
  if (spanMs <= 8 * DAY) return 'HOUR';
  return 'DAY';
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

export function resolveRange(selection: RangeSelection, now: Date = new Date()): ResolvedRange {
  if (selection.kind === 'custom') {
    const from = parseDay(selection.from);
    const to = parseDay(selection.to);
    if (from && to && to >= from) {
      const start = from;
      const end = new Date(to.getFullYear(), to.getMonth(), to.getDate() + 1);
      const span = end.getTime() - start.getTime();
      const prevStart = new Date(start.getTime() - span);
      return {
        start,
        end,
        resolution: resolutionFor(span),
        input: { start: start.toISOString(), end: end.toISOString() },
        previous: { start: prevStart, end: start, input: { start: prevStart.toISOString(), end: start.toISOString() } },
        label: selection.from === selection.to ? `${selection.from}` : `${selection.from} – ${selection.to}`,
        live: end.getTime() > now.getTime(),
      };
    }
    // A malformed custom range falls back to the default.
    return resolveRange({ kind: '24h' }, now);
  }
  const span = DURATION[selection.kind];
  // The server's "last N days" ends at the next whole minute; mirror it for the previous period.
  const end = new Date(floorMinute(now.getTime()) + MINUTE);
  const start = new Date(end.getTime() - span);
  const prevStart = new Date(start.getTime() - span);
  const input: RangeInput =
    span >= DAY ? { days: span / DAY } : { hours: span / HOUR };
  return {
    start,
    end,
    resolution: resolutionFor(span),
    input,
    previous: { start: prevStart, end: start, input: { start: prevStart.toISOString(), end: start.toISOString() } },
    label: PRESETS.find((p) => p.value === selection.kind)!.label,
    live: true,
  };
}

/** Relative change from `before` to `now`, or null when there is nothing to compare with. */
export function delta(now: number, before: number): number | null {
  if (before === 0) return now === 0 ? 0 : null;
  return (now - before) / before;
}
