/** The top graph's figures: one tile per metric, with its change from the previous period; a tile picks the graphed metric. */
import clsx from 'clsx';
import { ArrowDownRight, ArrowUpRight, Minus } from 'lucide-react';
import { describeChange, METRICS, type MetricSpec } from '../../lib/siteMetrics';
import type { GraphMetric } from '../../lib/siteState';
import { metricValue, type StatsRow } from '../../lib/statsApi';
import { Skeleton, focusRingInset } from '../ui';

function Change({ spec, change, previous }: { spec: MetricSpec; change: number | null; previous: number | null }) {
  if (change === null) {
    return (
      <span className="text-xs text-gray-400 dark:text-gray-500" data-testid="kpi-change" data-change="">
        <span aria-hidden>—</span>
        <span className="sr-only">nothing to compare with in the previous period</span>
      </span>
    );
  }
  const { tone, text, spoken } = describeChange(spec, change);
  const Icon = change > 0 ? ArrowUpRight : change < 0 ? ArrowDownRight : Minus;
  return (
    <span
      className={clsx(
        'inline-flex items-center gap-0.5 rounded-md px-1 text-xs font-medium tabular',
        tone === 'good' && 'bg-emerald-50 text-emerald-700 dark:bg-emerald-500/10 dark:text-emerald-300',
        tone === 'bad' && 'bg-rose-50 text-rose-700 dark:bg-rose-500/10 dark:text-rose-300',
        tone === 'flat' && 'text-gray-500 dark:text-gray-400',
      )}
      title={previous === null ? undefined : `Previous period: ${spec.format(previous)}`}
      data-testid="kpi-change"
      data-change={change}
      data-tone={tone}
    >
      <Icon className="h-3.5 w-3.5" aria-hidden />
      <span aria-hidden>{text}</span>
      <span className="sr-only">{spoken}</span>
    </span>
  );
}

export function KpiTiles({ row, loading, selected, onSelect }: { row: StatsRow | undefined; loading: boolean; selected: GraphMetric; onSelect: (metric: GraphMetric) => void }) {
  return (
    <div role="group" aria-label="Metric shown in the graph" className="grid grid-cols-2 border-b border-gray-100 dark:border-gray-800 sm:grid-cols-3 lg:grid-cols-5">
      {METRICS.map((spec, i) => {
        const value = metricValue(row, i);
        const previous = row?.comparison ? (typeof row.comparison.metrics[i] === 'number' ? row.comparison.metrics[i] : null) : null;
        const change = row?.comparison ? (row.comparison.change[i] ?? null) : null;
        const isSelected = selected === spec.metric;
        return (
          <button
            key={spec.metric}
            type="button"
            aria-pressed={isSelected}
            onClick={() => onSelect(spec.metric)}
            data-testid={`kpi-${spec.metric}`}
            className={clsx(
              'relative px-4 py-3.5 text-left transition-colors sm:px-5',
              isSelected ? 'bg-brand-50/60 dark:bg-brand-500/10' : 'hover:bg-gray-50 dark:hover:bg-gray-800/40',
              focusRingInset,
            )}
          >
            {isSelected && <span aria-hidden className="absolute inset-x-0 top-0 h-0.5 bg-brand-500 dark:bg-brand-400" />}
            <span className={clsx('block text-xs font-semibold uppercase tracking-wide', isSelected ? 'text-brand-700 dark:text-brand-300' : 'text-gray-500 dark:text-gray-400')}>{spec.label}</span>
            {loading && value === null ? (
              <Skeleton className="mt-2 h-7 w-20" />
            ) : (
              <span className="mt-1 block text-2xl font-semibold tracking-tight text-gray-900 tabular dark:text-white" data-testid="kpi-value" data-value={value ?? ''}>
                {value === null ? '—' : spec.format(value)}
              </span>
            )}
            <span className="mt-1 flex h-5 items-center gap-1.5">
              {row?.comparison && <Change spec={spec} change={change} previous={previous} />}
            </span>
          </button>
        );
      })}
    </div>
  );
}
