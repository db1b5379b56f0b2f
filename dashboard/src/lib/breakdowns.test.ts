import { describe, expect, it } from 'vitest';
import { breakdownCsv, breakdownFilename, CARDS } from './breakdowns';
import { fetchAllRows } from './siteHooks';
import type { StatsQuery } from './statsApi';
import type { StatsClient } from './statsClient';

const countries = CARDS.find((c) => c.id === 'locations')!.tabs[0].views[0];

describe('a breakdown as CSV', () => {
  it('has a header row, then one line per row with every dimension asked, visitors and share', () => {
    const csv = breakdownCsv(countries, [
      { metrics: [3, 60], dimensions: ['United Kingdom', 'GB'] },
      { metrics: [2, 40], dimensions: ['', ''] },
    ]);
    expect(csv).toBe('Country,Country code,Visitors,Share of visitors (%)\r\nUnited Kingdom,GB,3,60\r\n,,2,40\r\n');
  });

  it('escapes what a spreadsheet would misread (values come from visitors)', () => {
    const pages = CARDS.find((c) => c.id === 'pages')!.tabs[0].views[0];
    expect(breakdownCsv(pages, [{ metrics: [1, 100], dimensions: ['=HYPERLINK("x"),y'] }]).split('\r\n')[1]).toBe('"\'=HYPERLINK(""x""),y",1,100');
  });

  it('is named after the site, the breakdown and its days', () => {
    expect(breakdownFilename('CAP-ABC123', countries, ['2026-11-29T00:00:00+00:00', '2026-12-05T23:59:59+00:00'])).toBe('CAP-ABC123-countries-2026-11-29-to-2026-12-05.csv');
  });
});

describe('every row of a breakdown', () => {
  const client = (total: number, asked: Array<StatsQuery['pagination']>): StatsClient => ({
    key: 'test',
    canSubscribe: false,
    currentVisitors: () => Promise.resolve(0),
    query: (query) => {
      asked.push(query.pagination);
      const { limit, offset } = query.pagination!;
      const results = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({ metrics: [1, 0], dimensions: [`/page-${offset + i}`] }));
      return Promise.resolve({ results, meta: {}, query: { date_range: ['', ''] } });
    },
  });
  const query: StatsQuery = { site_id: 'CAP-ABC123', metrics: ['visitors'], date_range: '7d', dimensions: ['event:page'] };

  it('is asked page by page until a page comes back short', async () => {
    const asked: Array<StatsQuery['pagination']> = [];
    const rows = await fetchAllRows(client(2_500, asked), query);
    expect(rows).toHaveLength(2_500);
    expect(rows[2_499].dimensions[0]).toBe('/page-2499');
    expect(asked).toEqual([
      { limit: 1_000, offset: 0 },
      { limit: 1_000, offset: 1_000 },
      { limit: 1_000, offset: 2_000 },
    ]);
  });

  it('stops at the limit', async () => {
    const asked: Array<StatsQuery['pagination']> = [];
    const rows = await fetchAllRows(client(50_000, asked), query, 2_500);
    expect(rows).toHaveLength(2_500);
    expect(asked.at(-1)).toEqual({ limit: 500, offset: 2_000 });
  });
});
