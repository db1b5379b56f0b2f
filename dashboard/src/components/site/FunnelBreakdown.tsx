/**
 * A funnel broken down by one visit dimension: a row per value (most first-step visitors
 * first), a column per step with the visitors who reached it and their share of the row's
 * first step. A value's name filters the whole page by it, as the other cards' rows do. It
 * scrolls sideways on a narrow screen, as a focusable, named region.
 */
import { Link, useLocation } from 'react-router-dom';
import type { FunnelAnswer } from '../../lib/conversions';
import { formatNumber } from '../../lib/format';
import { formatFilter, parseFilters, valueLabel, withFilter } from '../../lib/siteFilters';
import { focusRingInset } from '../ui';

/** The page's address with its filters and `dimension` is `value` (one on the same dimension replaced). */
function filteredHref(pathname: string, search: string, dimension: string, value: string): string {
  const params = new URLSearchParams(search);
  const filters = withFilter(parseFilters(params), { op: 'is', dimension, value });
  params.delete('f');
  for (const filter of filters) params.append('f', formatFilter(filter));
  return `${pathname}?${params.toString()}`;
}

export function FunnelBreakdown({ answer, label, dimension }: { answer: FunnelAnswer; label: string; dimension: string }) {
  const { pathname, search } = useLocation();
  const groups = answer.breakdown ?? [];
  if (groups.length === 0) {
    return <p className="text-sm text-gray-500 dark:text-gray-400">No visitor reached the first step in this period.</p>;
  }
  return (
    <div className={`overflow-x-auto ${focusRingInset}`} tabIndex={0} role="region" aria-label={`Funnel by ${label.toLowerCase()}`}>
      <table className="w-full text-[13px]" data-testid="funnel-breakdown">
        <caption className="sr-only">Visitors who reached each step, by {label.toLowerCase()}, and their share of the first step</caption>
        <thead>
          <tr className="text-xs text-gray-600 dark:text-gray-300">
            <th scope="col" className="px-2 py-1.5 text-left font-medium">
              {label}
            </th>
            {answer.steps.map((step) => (
              <th key={step.goal} scope="col" className="px-2 py-1.5 text-right font-medium">
                {step.step}. {step.goal}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.value} className="border-t border-gray-100 dark:border-gray-800" data-testid="funnel-group" data-value={group.value}>
              <th scope="row" className="whitespace-nowrap px-2 py-1.5 text-left font-medium text-gray-900 dark:text-gray-100">
                <Link
                  to={filteredHref(pathname, search, dimension, group.value)}
                  title={`Show only visits whose ${label.toLowerCase()} is ${valueLabel(group.value)}`}
                  className="text-gray-900 hover:underline dark:text-gray-100"
                >
                  {valueLabel(group.value)}
                </Link>
              </th>
              {group.steps.map((step) => (
                <td key={step.goal} className="whitespace-nowrap px-2 py-1.5 text-right tabular-nums text-gray-900 dark:text-gray-100">
                  <span data-testid="funnel-group-visitors">{formatNumber(step.visitors)}</span> <span className="text-gray-600 dark:text-gray-400">({step.conversion_rate}%)</span>
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
