import { describe, expect, it } from 'vitest';
import { delta, resolutionFor, resolveRange } from './range';

const NOW = new Date('2025-03-10T12:34:56.789Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('range presets', () => {
  it('last hour ends at the next whole minute and starts an hour before, per minute', () => {
    const r = resolveRange({ kind: '1h' }, NOW);
    expect(r.end.toISOString()).toBe('2025-03-10T12:35:00.000Z');
    expect(r.start.toISOString()).toBe('2025-03-10T11:35:00.000Z');
    expect(r.resolution).toBe('MINUTE');
    // Less than a day: an explicit start; the server takes "now" as the end on every push.
    expect(r.input).toEqual({ hours: 1 });
    expect(r.live).toBe(true);
  });

  it.each([
    ['24h', 1, 'HOUR'],
    ['7d', 7, 'HOUR'],
    ['30d', 30, 'DAY'],
  ] as const)('%s is the last %i days, which the server slides with time', (kind, days, resolution) => {
    const r = resolveRange({ kind }, NOW);
    expect(r.end.getTime() - r.start.getTime()).toBe(days * DAY);
    expect(r.input).toEqual({ days });
    expect(r.resolution).toBe(resolution);
  });

  it('the previous period has the same length and ends where the range starts', () => {
    const r = resolveRange({ kind: '7d' }, NOW);
    expect(r.previous.end.getTime()).toBe(r.start.getTime());
    expect(r.start.getTime() - r.previous.start.getTime()).toBe(7 * DAY);
    expect(r.previous.input).toEqual({ start: r.previous.start.toISOString(), end: r.start.toISOString() });
  });
});

describe('custom ranges', () => {
  it('covers whole local days, the last one included', () => {
    const r = resolveRange({ kind: 'custom', from: '2025-03-01', to: '2025-03-03' }, NOW);
    expect(r.start.getTime()).toBe(new Date(2025, 2, 1).getTime());
    expect(r.end.getTime()).toBe(new Date(2025, 2, 4).getTime());
    expect(r.input).toEqual({ start: r.start.toISOString(), end: r.end.toISOString() });
    expect(r.previous.start.getTime()).toBe(new Date(2025, 1, 26).getTime());
    expect(r.resolution).toBe('HOUR');
    expect(r.live).toBe(false);
    expect(r.label).toBe('2025-03-01 – 2025-03-03');
  });

  it('falls back to the last 24 hours when malformed or reversed', () => {
    expect(resolveRange({ kind: 'custom', from: '2025-03-05', to: '2025-03-01' }, NOW).input).toEqual({ days: 1 });
    expect(resolveRange({ kind: 'custom', from: '2025-02-30', to: '2025-03-01' }, NOW).input).toEqual({ days: 1 });
    expect(resolveRange({ kind: 'custom' }, NOW).input).toEqual({ days: 1 });
  });
});

describe('resolution and deltas', () => {
  it('keeps charts to a readable number of points', () => {
    expect(resolutionFor(3 * HOUR)).toBe('MINUTE');
    expect(resolutionFor(3 * HOUR + 1)).toBe('HOUR');
    expect(resolutionFor(8 * DAY)).toBe('HOUR');
    expect(resolutionFor(9 * DAY)).toBe('DAY');
  });

  it('compares with the previous period', () => {
    expect(delta(150, 100)).toBeCloseTo(0.5);
    expect(delta(50, 100)).toBeCloseTo(-0.5);
    expect(delta(0, 0)).toBe(0);
    expect(delta(5, 0)).toBeNull();
  });
});
