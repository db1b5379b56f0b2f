/** A funnel's steps checked, and its drop-off as the site dashboard's filters: in the URL, on the chips and in the Stats API's body. */
import { describe, expect, it } from 'vitest';
import { dropoffFilters, dropoffHref, stepsProblem } from './conversions';
import { describeFilter, parseFilters, toStatsFilters, withFilter } from './siteFilters';

describe('funnel steps', () => {
  it('are 2 to 8 different goals', () => {
    expect(stepsProblem(['Visit /', ''])).toBe('Choose at least 2 steps.');
    expect(stepsProblem(['Visit /', 'Visit /'])).toBe('Each step must be a different goal.');
    expect(stepsProblem(['Visit /', '', 'Signup'])).toBeNull();
  });
});

describe('a drop-off', () => {
  it('is the visits that reached a step and not the next, in the same period and with the filters the funnel counted', () => {
    const href = dropoffHref('/sites/CAP-1', '?period=7d&f=is,visit:source,Google', ['Visit /', 'Visit /pricing', 'Signup'], 1);
    const params = new URL(href, 'http://x').searchParams;

    expect(params.get('period')).toBe('7d');
    expect(params.getAll('f')).toEqual(['is,visit:source,Google', 'has_done,event:goal,Visit /pricing', 'has_not_done,event:goal,Signup']);
    expect(toStatsFilters(parseFilters(params))).toEqual([
      ['is', 'visit:source', ['Google']],
      ['has_done', ['is', 'event:goal', ['Visit /pricing']]],
      ['has_not_done', ['is', 'event:goal', ['Signup']]],
    ]);
  });

  it('replaces the filters of an earlier drop-off', () => {
    const earlier = '?period=7d&f=has_done,event:goal,Visit /&f=has_not_done,event:goal,Visit /pricing';
    const params = new URL(dropoffHref('/sites/CAP-1', earlier, ['Visit /pricing', 'Signup'], 0), 'http://x').searchParams;

    expect(params.getAll('f')).toEqual(['has_done,event:goal,Visit /pricing', 'has_not_done,event:goal,Signup']);
  });

  it('reads on its chips as what the visitors did and did not do', () => {
    expect(dropoffFilters(['Visit /', 'Signup'], 0).map(describeFilter)).toEqual(['Reached Visit /', 'Did not reach Signup']);
  });

  it('keeps both of its filters when a row adds one on the same dimension (a behaviour is not replaced)', () => {
    const filters = withFilter(dropoffFilters(['Visit /', 'Signup'], 0), { op: 'is', dimension: 'event:goal', value: 'Signup' });

    expect(filters.map(describeFilter)).toEqual(['Reached Visit /', 'Did not reach Signup', 'Goal is Signup']);
  });
});
