import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ChartFigure } from './ChartData';

describe('ChartFigure', () => {
  it('names the chart, hides the drawing and gives its data as a table', () => {
    render(
      <ChartFigure summary="Events over time, 2 points, 7 in total" columns={['Time', 'Events']} rows={[['10:00', '3'], ['11:00', '4']]}>
        <svg data-testid="drawing" tabIndex={-1} />
      </ChartFigure>,
    );

    expect(screen.getByRole('figure', { name: 'Events over time, 2 points, 7 in total' })).toBeInTheDocument();
    expect(screen.getByTestId('drawing').parentElement).toHaveAttribute('aria-hidden', 'true');
    const table = screen.getByRole('table', { name: 'Events over time, 2 points, 7 in total' });
    expect(within(table).getAllByRole('columnheader').map((c) => c.textContent)).toEqual(['Time', 'Events']);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => [within(r).getByRole('rowheader').textContent, within(r).getByRole('cell').textContent])).toEqual([
      ['10:00', '3'],
      ['11:00', '4'],
    ]);
  });
});
