/**
 * Retention cohorts of a site's identified users: the period (days or weeks), where a cohort
 * starts (the first visit or a goal), and the grid, with a notice that only users the site
 * identifies (`user_id`) are counted: cookieless visitor ids change every day.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { askRetention, goalsOf, type RetentionAnswer } from '../../lib/conversions';
import { queryKeys } from '../../lib/queryKeys';
import type { DateRange } from '../../lib/statsApi';
import { Alert, Card, CardHeader, ErrorState, Field, Segmented, Select, Skeleton } from '../ui';

const FIRST_VISIT = 'first visit';

function shade(percentage: number): string {
  if (percentage >= 75) return 'bg-brand-600 text-white dark:bg-brand-500';
  if (percentage >= 50) return 'bg-brand-500 text-white dark:bg-brand-600';
  if (percentage >= 25) return 'bg-brand-200 text-gray-900 dark:bg-brand-800 dark:text-white';
  if (percentage > 0) return 'bg-brand-50 text-gray-900 dark:bg-brand-950 dark:text-gray-100';
  return 'text-gray-500 dark:text-gray-400';
}

export function RetentionGrid({ answer }: { answer: RetentionAnswer }) {
  const unit = answer.period === 'day' ? 'Day' : 'Week';
  const columns = answer.cohorts.length ? answer.cohorts[0].retention.length : 0;
  if (answer.cohorts.every((c) => c.users === 0)) {
    return <p className="text-sm text-gray-500 dark:text-gray-400">No identified user started in this period.</p>;
  }
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-separate border-spacing-0.5 text-[13px]" data-testid="retention-grid">
        <caption className="sr-only">Share of each cohort's users who came back, by {unit.toLowerCase()} since they started</caption>
        <thead>
          <tr>
            <th scope="col" className="px-2 py-1 text-left font-medium text-gray-600 dark:text-gray-300">Cohort</th>
            <th scope="col" className="px-2 py-1 text-right font-medium text-gray-600 dark:text-gray-300">Users</th>
            {Array.from({ length: columns }, (_, i) => (
              <th key={i} scope="col" className="px-2 py-1 text-right font-medium text-gray-600 dark:text-gray-300">
                {unit} {i}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {answer.cohorts.map((cohort) => (
            <tr key={cohort.cohort}>
              <th scope="row" className="whitespace-nowrap px-2 py-1 text-left font-medium text-gray-900 dark:text-gray-100">{cohort.cohort}</th>
              <td className="px-2 py-1 text-right tabular-nums text-gray-900 dark:text-gray-100">{cohort.users}</td>
              {cohort.retention.map((cell) => (
                <td key={cell.period} className={`rounded px-2 py-1 text-right tabular-nums ${cohort.users ? shade(cell.percentage) : 'text-gray-500 dark:text-gray-400'}`} title={`${cell.users} of ${cohort.users} users`}>
                  {cohort.users ? `${cell.percentage}%` : '–'}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function RetentionCard({ siteId, dateRange }: { siteId: string; dateRange: DateRange }) {
  const [period, setPeriod] = useState<'day' | 'week'>('week');
  const [start, setStart] = useState(FIRST_VISIT);
  const goals = useQuery({ queryKey: queryKeys.site.goals(siteId), queryFn: () => goalsOf(siteId) });
  const retention = useQuery({
    queryKey: queryKeys.site.retention(siteId, { dateRange, period, start }),
    queryFn: () => askRetention(siteId, dateRange, period, start),
  });
  return (
    <Card aria-labelledby="retention-heading" data-testid="retention">
      <CardHeader
        id="retention-heading"
        title="Retention of identified users"
        subtitle="Cohorts by when they started, and the share who came back later."
        actions={<Segmented label="Cohort period" size="sm" value={period} onChange={setPeriod} options={[{ value: 'day', label: 'Days' }, { value: 'week', label: 'Weeks' }]} />}
      />
      <div className="space-y-4 p-5">
        <Alert tone="brand" title="Identified users only">
          Only visitors your site identifies (events sent with a <code>user_id</code>) are counted here. Anonymous visitors get a new cookieless id every day, so their return cannot be seen, and a retention chart of them would be meaningless.
        </Alert>
        <Field label="A cohort starts at" className="max-w-xs">
          {(p) => (
            <Select {...p} value={start} onChange={(e) => setStart(e.target.value)}>
              <option value={FIRST_VISIT}>The first visit</option>
              {(goals.data ?? []).map((goal) => (
                <option key={goal.id} value={goal.name}>
                  {goal.display_name}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {retention.isError ? <ErrorState compact error={retention.error} onRetry={() => void retention.refetch()} /> : !retention.data ? <Skeleton className="h-32" /> : <RetentionGrid answer={retention.data} />}
      </div>
    </Card>
  );
}
