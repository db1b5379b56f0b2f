import { describe, expect, it } from 'vitest';
import { bucketLabel, dateRangeOf, describeDays, includesToday, intervalOf, nowStampIn, todayIn, validPeriod } from './sitePeriod';

// 2026-03-01 02:30 UTC: still 28 February in New York, already the afternoon in Kathmandu.
const NOW = new Date(Date.UTC(2026, 2, 1, 2, 30));

describe('site periods', () => {
  it('sends the API’s shorthands, or the two days of a custom period', () => {
    expect(dateRangeOf({ kind: '7d' })).toBe('7d');
    expect(dateRangeOf({ kind: 'custom', from: '2026-01-01', to: '2026-01-31' })).toEqual(['2026-01-01', '2026-01-31']);
  });

  it('falls back to the default for a custom period that is malformed or backwards', () => {
    expect(validPeriod({ kind: 'custom', from: '2026-02-01', to: '2026-01-01' })).toEqual({ kind: '28d' });
    expect(validPeriod({ kind: 'custom', from: 'yesterday', to: '2026-01-01' })).toEqual({ kind: '28d' });
  });

  it('graphs hours for a day, months for half a year or more, days otherwise', () => {
    expect(intervalOf({ kind: 'day' })).toBe('time:hour');
    expect(intervalOf({ kind: 'custom', from: '2026-01-05', to: '2026-01-05' })).toBe('time:hour');
    expect(intervalOf({ kind: '28d' })).toBe('time:day');
    expect(intervalOf({ kind: 'custom', from: '2026-01-01', to: '2026-03-31' })).toBe('time:day');
    expect(intervalOf({ kind: 'custom', from: '2026-01-01', to: '2026-06-30' })).toBe('time:month');
    expect(intervalOf({ kind: '12mo' })).toBe('time:month');
  });

  it('takes today in the site’s time zone', () => {
    expect(todayIn('UTC', NOW)).toBe('2026-03-01');
    expect(todayIn('America/New_York', NOW)).toBe('2026-02-28');
    expect(todayIn('Not/AZone', NOW)).toBe('2026-03-01');
    expect(nowStampIn('Asia/Kathmandu', NOW)).toBe('2026-03-01 08:15:00');
  });

  it('knows which periods still grow: those holding today in the site’s zone', () => {
    expect(includesToday({ kind: 'day' }, 'UTC', NOW)).toBe(true);
    expect(includesToday({ kind: '7d' }, 'UTC', NOW)).toBe(false);
    expect(includesToday({ kind: 'custom', from: '2026-02-01', to: '2026-02-28' }, 'America/New_York', NOW)).toBe(true);
    expect(includesToday({ kind: 'custom', from: '2026-02-01', to: '2026-02-28' }, 'UTC', NOW)).toBe(false);
  });

  it('writes the days the server resolved, and time buckets as the graph shows them', () => {
    expect(describeDays(['2026-11-29T00:00:00+05:45', '2026-12-05T23:59:59+05:45'])).toBe('29 Nov – 5 Dec 2026');
    expect(describeDays(['2025-12-30T00:00:00+00:00', '2026-01-02T23:59:59+00:00'])).toBe('30 Dec 2025 – 2 Jan 2026');
    expect(describeDays(['2026-12-06T00:00:00+00:00', '2026-12-06T23:59:59+00:00'])).toBe('6 Dec 2026');
    expect(bucketLabel('2026-12-06 18:00:00', 'time:hour')).toBe('18:00');
    expect(bucketLabel('2026-12-06', 'time:day')).toBe('6 Dec');
    expect(bucketLabel('2026-12-01', 'time:month')).toBe('Dec 2026');
  });
});
