/**
 * The Goals card: each goal's unique conversions (visitors), total conversions (events),
 * conversion rate and, for revenue goals, revenue, over the page's period and filters. A
 * goal's name filters the whole page by it, as the other cards' rows do.
 */
import clsx from 'clsx';
import { Target } from 'lucide-react';
import { useId } from 'react';
import { formatNumber } from '../../lib/format';
import { goalConversions, goalsQuery, GOAL } from '../../lib/goals';
import { useStats } from '../../lib/siteHooks';
import { Card, EmptyState, ErrorState, focusRing, Skeleton } from '../ui';
import type { BreakdownScope } from './BreakdownCard';

export function GoalsCard({ scope, onFilter, filtered }: { scope: BreakdownScope; onFilter: (dimension: string, value: string) => void; filtered: boolean }) {
  const titleId = useId();
  const answer = useStats(goalsQuery(scope));
  const rows = goalConversions(answer.data?.results ?? []);
  const withRevenue = rows.some((row) => row.revenue !== null);
  const most = Math.max(1, ...rows.map((row) => row.rate));

  return (
    <Card className="flex flex-col" data-testid="card-goals" aria-labelledby={titleId}>
      <div className="border-b border-gray-100 px-5 py-3.5 dark:border-gray-800">
        <h2 id={titleId} className="text-sm font-semibold text-gray-900 dark:text-gray-100">
          Goals
        </h2>
      </div>
      <div className="flex-1 px-5 py-3 lg:min-h-[12rem]">
        {answer.isError ? (
          <ErrorState compact error={answer.error} onRetry={() => void answer.refetch()} />
        ) : !answer.data ? (
          <div className="space-y-2 pt-6">
            {[80, 60, 40].map((w) => (
              <Skeleton key={w} className="h-7" />
            ))}
          </div>
        ) : rows.length === 0 ? (
          <EmptyState compact icon={<Target className="h-5 w-5" aria-hidden />} title="No conversions">
            {filtered ? 'No goal was reached in this period with these filters.' : 'No goal was reached in this period. Goals are set up in the site’s Goals settings.'}
          </EmptyState>
        ) : (
          <table className="w-full table-fixed text-[13px]" data-testid="goals-table">
            <caption className="sr-only">Goals: conversions, unique and total, and conversion rate</caption>
            <thead>
              <tr className="text-xs font-medium text-gray-500 dark:text-gray-400">
                <th scope="col" className="pb-1.5 text-left font-medium">
                  Goal
                </th>
                <th scope="col" className="w-20 pb-1.5 text-right font-medium">
                  Uniques
                </th>
                <th scope="col" className="w-16 pb-1.5 text-right font-medium">
                  Total
                </th>
                <th scope="col" className="w-16 pb-1.5 text-right font-medium">
                  <abbr title="Conversion rate" className="no-underline">
                    CR
                  </abbr>
                </th>
                {withRevenue && (
                  <th scope="col" className="w-24 pb-1.5 text-right font-medium">
                    Revenue
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.goal} data-testid="goal-row" data-value={row.goal}>
                  <td className="py-0.5 pr-2">
                    <button
                      type="button"
                      onClick={() => onFilter(GOAL, row.goal)}
                      title={`Show only visits that reached the goal ${row.goal}`}
                      className={clsx('group relative flex h-8 w-full items-center overflow-hidden rounded-md px-2 text-left', focusRing)}
                    >
                      <span aria-hidden className="absolute inset-y-0 left-0 rounded-md bg-emerald-500/15 transition-colors group-hover:bg-emerald-500/25" style={{ width: `${Math.min(100, (row.rate / most) * 100)}%` }} />
                      <span className="relative truncate text-gray-800 group-hover:underline dark:text-gray-100">{row.goal}</span>
                    </button>
                  </td>
                  <td className="py-0.5 text-right font-medium tabular text-gray-900 dark:text-white" data-testid="goal-uniques">
                    {formatNumber(row.uniques)}
                  </td>
                  <td className="py-0.5 text-right tabular text-gray-700 dark:text-gray-300" data-testid="goal-total">
                    {formatNumber(row.total)}
                  </td>
                  <td className="py-0.5 text-right tabular text-gray-500 dark:text-gray-400" data-testid="goal-rate">
                    {row.rate}%
                  </td>
                  {withRevenue && (
                    <td className="py-0.5 text-right tabular text-gray-700 dark:text-gray-300" data-testid="goal-revenue" title={row.revenue?.long}>
                      {row.revenue ? row.revenue.long : '—'}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </Card>
  );
}
