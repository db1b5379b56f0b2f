import { describe, expect, it } from 'vitest';
import { addressList, bucketOf, graphMarks, type FiringOut } from './alerts';

const firing: FiringOut = {
  id: 1,
  rule_id: 'r1',
  rule_name: 'Traffic spike',
  kind: 'traffic',
  started_at: '2026-11-30T16:01:00+00:00',
  resolved_at: null,
  observed: 90,
  expected: 22.5,
  direction: 'spike',
  summary: '90 visitors, expected 22.5.',
};

describe('alert marks', () => {
  it('fall on the bucket a firing started in, in the site time zone', () => {
    expect(bucketOf(firing.started_at, 'UTC', 'time:hour')).toBe('2026-11-30 16:00:00');
    expect(bucketOf(firing.started_at, 'Asia/Kathmandu', 'time:hour')).toBe('2026-11-30 21:00:00');
    expect(bucketOf('2026-11-30T23:30:00Z', 'Europe/Paris', 'time:day')).toBe('2026-12-01');
    expect(bucketOf(firing.started_at, 'UTC', 'time:month')).toBe('2026-11-01');
  });

  it('say what fired, and whether it still does', () => {
    expect(graphMarks([firing], 'UTC', 'time:day')).toEqual([
      { label: '2026-11-30', text: 'Traffic spike (spike): 90 visitors, expected 22.5. Still firing.' },
    ]);
  });

  it('read recipients one a line or separated by commas', () => {
    expect(addressList('ann@example.com, bob@example.com\ncy@example.com ')).toEqual(['ann@example.com', 'bob@example.com', 'cy@example.com']);
  });
});
