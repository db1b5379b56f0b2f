/** A breakdown's rows: the value (a button that filters the page by it) over a bar of its share, its visitors and share. */
import clsx from 'clsx';
import { formatNumber } from '../../lib/format';
import { dimensionLabel, valueLabel } from '../../lib/siteFilters';
import type { StatsRow } from '../../lib/statsApi';
import { focusRing } from '../ui';

const MONO_DIMENSIONS = new Set(['event:page', 'visit:entry_page', 'visit:exit_page']);

function share(row: StatsRow): number {
  const value = row.metrics[1];
  return typeof value === 'number' ? value : 0;
}

export function BreakdownTable({
  rows,
  column,
  dimension,
  onFilter,
  caption,
}: {
  rows: StatsRow[];
  column: string;
  dimension: string;
  onFilter: (value: string) => void;
  caption: string;
}) {
  const mono = MONO_DIMENSIONS.has(dimension);
  return (
    <table className="w-full table-fixed text-[13px]" data-testid="breakdown-table">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr className="text-xs font-medium text-gray-500 dark:text-gray-400">
          <th scope="col" className="pb-1.5 text-left font-medium">
            {column}
          </th>
          <th scope="col" className="w-20 pb-1.5 text-right font-medium">
            Visitors
          </th>
          <th scope="col" className="w-14 pb-1.5 text-right font-medium">
            <abbr title="Share of visitors" className="no-underline">
              %
            </abbr>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => {
          const value = row.dimensions[0] ?? '';
          const label = valueLabel(value);
          return (
            <tr key={row.dimensions.join('\u0000')} data-testid="breakdown-row" data-value={value}>
              <td className="py-0.5 pr-2">
                <button
                  type="button"
                  onClick={() => onFilter(value)}
                  title={`Show only visits whose ${dimensionLabel(dimension).toLowerCase()} is ${label}`}
                  className={clsx('group relative flex h-8 w-full items-center overflow-hidden rounded-md px-2 text-left', focusRing)}
                >
                  <span aria-hidden className="absolute inset-y-0 left-0 rounded-md bg-brand-500/15 transition-colors group-hover:bg-brand-500/25 dark:bg-brand-400/15 dark:group-hover:bg-brand-400/25" style={{ width: `${Math.min(100, Math.max(0, share(row)))}%` }} />
                  <span className={clsx('relative truncate text-gray-800 group-hover:underline dark:text-gray-100', mono && 'font-mono text-[12.5px]', value === '' && 'italic text-gray-500 dark:text-gray-400')}>{label}</span>
                </button>
              </td>
              <td className="py-0.5 text-right font-medium tabular text-gray-900 dark:text-white" data-testid="row-visitors">
                {formatNumber(typeof row.metrics[0] === 'number' ? row.metrics[0] : 0)}
              </td>
              <td className="py-0.5 text-right tabular text-gray-500 dark:text-gray-400">{formatNumber(share(row))}%</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
