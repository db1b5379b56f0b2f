import { describe, expect, it } from 'vitest';
import { describeFilter, parseFilter, parseFilters, toStatsFilters, withFilter, withoutFilter } from './siteFilters';
import { parseSiteState, writeSiteState } from './siteState';

describe('site dashboard filters in the URL', () => {
  it('reads operator, dimension and value, the value keeping its commas', () => {
    expect(parseFilter('is,visit:source,Google')).toEqual({ op: 'is', dimension: 'visit:source', value: 'Google' });
    expect(parseFilter('is,event:page,/a,b,c')).toEqual({ op: 'is', dimension: 'event:page', value: '/a,b,c' });
    expect(parseFilter('is,visit:country_name,')).toEqual({ op: 'is', dimension: 'visit:country_name', value: '' });
  });

  it('drops what is not a filter: unknown operators, dimensions that are not the API’s, missing parts', () => {
    const params = new URLSearchParams();
    for (const f of ['drop,visit:source,x', 'is,source,Google', 'is,visit:source', 'is_not,visit:device,Mobile']) params.append('f', f);
    expect(parseFilters(params)).toEqual([{ op: 'is_not', dimension: 'visit:device', value: 'Mobile' }]);
  });

  it('round-trips the period, the filters and the graphed metric, leaving other parameters and defaults out', () => {
    const state = {
      period: { kind: 'custom' as const, from: '2026-01-01', to: '2026-01-31' },
      filters: [
        { op: 'is' as const, dimension: 'visit:source', value: 'Hacker News' },
        { op: 'is' as const, dimension: 'event:page', value: '/a,b' },
      ],
      graph: 'bounce_rate' as const,
    };
    const written = writeSiteState(new URLSearchParams('keep=1&f=is,visit:os,Linux'), state);
    expect(written.get('keep')).toBe('1');
    expect(written.getAll('f')).toEqual(['is,visit:source,Hacker News', 'is,event:page,/a,b']);
    expect(parseSiteState(written)).toEqual(state);
    expect(writeSiteState(new URLSearchParams(), { period: { kind: '28d' }, filters: [], graph: 'visitors' }).toString()).toBe('');
  });

  it('a click on a dimension already filtered replaces its filter; several dimensions combine', () => {
    const source = { op: 'is' as const, dimension: 'visit:source', value: 'Google' };
    const device = { op: 'is' as const, dimension: 'visit:device', value: 'Mobile' };
    const both = withFilter(withFilter([], source), device);
    expect(toStatsFilters(both)).toEqual([
      ['is', 'visit:source', ['Google']],
      ['is', 'visit:device', ['Mobile']],
    ]);
    expect(withFilter(both, { ...source, value: 'Bing' }).map((f) => f.value)).toEqual(['Mobile', 'Bing']);
    expect(withoutFilter(both, 0)).toEqual([device]);
  });

  it('names filters as their chips show them', () => {
    expect(describeFilter({ op: 'is', dimension: 'visit:source', value: 'Google' })).toBe('Source is Google');
    expect(describeFilter({ op: 'is', dimension: 'visit:country_name', value: '' })).toBe('Country is (none)');
    expect(describeFilter({ op: 'is_not', dimension: 'event:props:plan', value: 'pro' })).toBe('Property plan is not pro');
  });
});
