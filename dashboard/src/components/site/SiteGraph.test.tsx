/** The alerts that fired in the period are marked on the site's graph, in words too. */
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { metricSpec } from '../../lib/siteMetrics';
import { SiteGraph, type GraphPoint } from './SiteGraph';

const points: GraphPoint[] = ['2026-11-29', '2026-11-30', '2026-12-01'].map((label, i) => ({ label, value: [20, 90, 21][i], previous: null, previousLabel: null }));

describe('the top graph', () => {
  it('lists each firing of the period by its day, and in its data table', () => {
    render(
      <SiteGraph
        spec={metricSpec('visitors')}
        points={points}
        interval="time:day"
        marks={[
          { label: '2026-11-30', text: 'Traffic spike (spike): 90 visitors, expected 22.5.' },
          { label: '2026-10-01', text: 'Outside the period' },
        ]}
      />,
    );
    const list = screen.getByRole('list', { name: 'Alerts in this period' });
    const items = within(list).getAllByRole('listitem');
    expect(items).toHaveLength(1);
    expect(items[0]).toHaveTextContent('Traffic spike (spike): 90 visitors, expected 22.5.');
    expect(screen.getByRole('columnheader', { name: 'Alerts' })).toBeInTheDocument();
  });

  it('shows no list without firings', () => {
    render(<SiteGraph spec={metricSpec('visitors')} points={points} interval="time:day" />);
    expect(screen.queryByRole('list', { name: 'Alerts in this period' })).toBeNull();
  });
});
