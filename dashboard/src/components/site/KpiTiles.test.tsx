/** The top graph's figures with their change from the previous period. */
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { StatsRow } from '../../lib/statsApi';
import { KpiTiles } from './KpiTiles';
import { graphPoints } from './SiteGraph';

// visitors, visits, pageviews, bounce_rate, visit_duration: now, before, and the API's change.
const row: StatsRow = {
  metrics: [5, 8, 9, 50, 125],
  dimensions: [],
  comparison: { dimensions: [], metrics: [2, 8, 12, 40, 0], change: [150, 0, -25, 10, 100] },
};

function tile(metric: string) {
  const element = screen.getByTestId(`kpi-${metric}`);
  const change = within(element).getByTestId('kpi-change');
  return { element, value: within(element).getByTestId('kpi-value').textContent, change: change.textContent, tone: change.getAttribute('data-tone') };
}

describe('KPI tiles', () => {
  it('show each figure with its change: a rise in visitors is good news, a rise in bounce rate bad', () => {
    render(<KpiTiles row={row} loading={false} selected="visitors" onSelect={() => undefined} />);
    expect(tile('visitors')).toMatchObject({ value: '5', change: '150%up 150% from the previous period', tone: 'good' });
    expect(tile('visits')).toMatchObject({ value: '8', change: '0%unchanged from the previous period', tone: 'flat' });
    expect(tile('pageviews')).toMatchObject({ value: '9', change: '25%down 25% from the previous period', tone: 'bad' });
    expect(tile('bounce_rate')).toMatchObject({ value: '50%', change: '10 ppup 10 percentage points from the previous period', tone: 'bad' });
    expect(tile('visit_duration')).toMatchObject({ value: '2m 05s', tone: 'good' });
    expect(within(screen.getByTestId('kpi-pageviews')).getByTestId('kpi-change')).toHaveAttribute('title', 'Previous period: 12');
  });

  it('say when there is nothing to compare with (a bounce rate after a period without visits)', () => {
    const empty: StatsRow = { ...row, comparison: { dimensions: [], metrics: [0, 0, 0, 0, 0], change: [100, 100, 100, null, 100] } };
    render(<KpiTiles row={empty} loading={false} selected="visitors" onSelect={() => undefined} />);
    expect(within(screen.getByTestId('kpi-bounce_rate')).getByTestId('kpi-change')).toHaveTextContent('nothing to compare with in the previous period');
    expect(tile('bounce_rate').tone).toBeNull();
  });

  it('pick the graphed metric, the chosen one pressed', async () => {
    const onSelect = vi.fn();
    render(<KpiTiles row={row} loading={false} selected="visits" onSelect={onSelect} />);
    expect(screen.getByRole('button', { name: /Total visits/ })).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByRole('button', { name: /Unique visitors/ })).toHaveAttribute('aria-pressed', 'false');
    await userEvent.click(screen.getByRole('button', { name: /Bounce rate/ }));
    expect(onSelect).toHaveBeenCalledWith('bounce_rate');
  });
});

describe('the graph’s points', () => {
  it('name every bucket, zero where nothing happened, nothing yet for buckets still ahead', () => {
    const points = graphPoints(
      {
        results: [{ metrics: [3], dimensions: ['2026-12-02'], comparison: { dimensions: ['2026-11-25'], metrics: [1], change: [200] } }],
        meta: { time_labels: ['2026-12-01', '2026-12-02', '2026-12-03'] },
        query: { date_range: ['2026-12-01T00:00:00+00:00', '2026-12-03T23:59:59+00:00'] },
      },
      '2026-12-02 12:00:00',
    );
    expect(points).toEqual([
      { label: '2026-12-01', value: 0, previous: null, previousLabel: null },
      { label: '2026-12-02', value: 3, previous: 1, previousLabel: '2026-11-25' },
      { label: '2026-12-03', value: null, previous: null, previousLabel: null },
    ]);
  });
});
