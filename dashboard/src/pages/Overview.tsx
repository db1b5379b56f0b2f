import { useQueryClient } from '@tanstack/react-query';
import clsx from 'clsx';
import { ArrowDownRight, ArrowUpRight, ExternalLink, Eye, Link2, Minus, MousePointerClick, Share2, Sigma, Users, UserRound, X } from 'lucide-react';
import { lazy, Suspense, useCallback, useMemo, useRef, type ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { RankedBars } from '../components/RankedBars';
import { copyText } from '../components/CopyButton';
import { FilterSelect } from '../components/FilterSelect';
import { LiveBadge } from '../components/LiveBadge';
import { RangePicker } from '../components/RangePicker';
import { Button, Card, CardHeader, EmptyState, ErrorState, PageHeader, Skeleton, focusRing } from '../components/ui';
import type { OverviewStatsQuery, StatsInput } from '../gql/graphql';
import { grafanaLink, grafanaUrl } from '../lib/config';
import { useOverviewState } from '../lib/filters';
import { formatNumber, formatPercent } from '../lib/format';
import { overviewStatsOptions, useAdaptorNames, useCatalog, useLiveStats, useOverviewStats, usePreviousStats, useTimeSeries, useTop } from '../lib/queryHooks';
import { queryKeys } from '../lib/queryKeys';
import { delta, PRESETS, resolveRange, type RangeSelection } from '../lib/range';
import { toast } from '../lib/toast';

// The figures show without waiting for the charting library, which loads beside them.
const TimeSeriesChart = lazy(() => import('../components/Charts').then((charts) => ({ default: charts.TimeSeriesChart })));

type Stats = OverviewStatsQuery['stats'];
type Metric = 'totalEvents' | 'pageViews' | 'clicks' | 'uniqueSessions' | 'uniqueUsers';

const METRICS: Array<{ key: Metric; label: string; icon: typeof Sigma; hint?: string }> = [
  { key: 'totalEvents', label: 'Total events', icon: Sigma },
  { key: 'pageViews', label: 'Page views', icon: Eye },
  { key: 'clicks', label: 'Clicks', icon: MousePointerClick, hint: 'Events whose type contains “click”' },
  { key: 'uniqueSessions', label: 'Unique sessions', icon: UserRound, hint: 'Counted over whole days; estimates at high volume' },
  { key: 'uniqueUsers', label: 'Unique users', icon: Users, hint: 'Counted over whole days; estimates at high volume' },
];

function Delta({ now, before }: { now: number; before: number | undefined }) {
  if (before === undefined) return <span className="h-4" />;
  const change = delta(now, before);
  if (change === null) return <span className="text-xs font-medium text-emerald-600 dark:text-emerald-400">new</span>;
  const Icon = change > 0 ? ArrowUpRight : change < 0 ? ArrowDownRight : Minus;
  return (
    <span
      className={clsx(
        'inline-flex items-center gap-0.5 rounded-md px-1 text-xs font-medium tabular',
        change > 0 && 'bg-emerald-50 text-emerald-700 dark:bg-emerald-500/10 dark:text-emerald-300',
        change < 0 && 'bg-rose-50 text-rose-700 dark:bg-rose-500/10 dark:text-rose-300',
        change === 0 && 'text-gray-500 dark:text-gray-400',
      )}
      title={`Previous period: ${formatNumber(before)}`}
    >
      <Icon className="h-3.5 w-3.5" aria-hidden />
      {change === 0 ? '0%' : formatPercent(change)}
    </span>
  );
}

function StatCard({
  metric,
  value,
  previous,
  loading,
  grafana,
  note,
}: {
  metric: (typeof METRICS)[number];
  note?: string;
  value: number | undefined;
  previous: number | undefined;
  loading: boolean;
  grafana: string | null;
}) {
  const Icon = metric.icon;
  return (
    <Card className="relative p-4" data-testid={`stat-${metric.key}`} title={metric.hint}>
      <div className="flex items-center justify-between gap-2">
        <p className="flex items-center gap-2 text-[13px] font-medium text-gray-500 dark:text-gray-400">
          <span className="flex h-6 w-6 items-center justify-center rounded-md bg-brand-50 text-brand-600 dark:bg-brand-500/10 dark:text-brand-400">
            <Icon className="h-3.5 w-3.5" aria-hidden />
          </span>
          {metric.label}
        </p>
        {grafana && (
          <a
            href={grafana}
            target="_blank"
            rel="noreferrer"
            className={clsx('rounded text-gray-400 hover:text-brand-600 dark:hover:text-brand-400', focusRing)}
            aria-label={`Open ${metric.label} in Grafana`}
            title="Open in Grafana"
            data-testid="grafana-link"
          >
            <ExternalLink className="h-3.5 w-3.5" aria-hidden />
          </a>
        )}
      </div>
      {loading || value === undefined ? (
        <Skeleton className="mt-3 h-8 w-24" />
      ) : (
        <p key={value} className="-mx-1 mt-2 inline-block animate-flash rounded px-1 text-2xl font-semibold tracking-tight text-gray-900 tabular dark:text-white sm:text-[28px]" data-testid="stat-value" data-value={value}>
          {formatNumber(value)}
        </p>
      )}
      <div className="mt-1.5 flex h-5 items-center gap-1.5 text-xs text-gray-500 dark:text-gray-400">
        {value !== undefined && <Delta now={value} before={previous} />}
        {previous !== undefined && <span className="truncate">{note ?? 'vs previous period'}</span>}
      </div>
    </Card>
  );
}

function Panel({ title, subtitle, children, className, actions, testId }: { title: string; subtitle?: ReactNode; children: ReactNode; className?: string; actions?: ReactNode; testId?: string }) {
  return (
    <Card className={clsx('flex flex-col', className)} data-testid={testId}>
      <CardHeader title={title} subtitle={subtitle} actions={actions} />
      <div className="flex-1 p-4">{children}</div>
    </Card>
  );
}

function ListSkeleton() {
  return (
    <div className="space-y-2.5">
      {[80, 64, 52, 40, 30].map((w) => (
        <Skeleton key={w} className="h-6" />
      ))}
    </div>
  );
}

export default function OverviewPage() {
  const [state, update] = useOverviewState();
  const queryClient = useQueryClient();
  const catalog = useCatalog();
  const adaptorName = useAdaptorNames();
  const { schema, adaptor, type } = state.filters;

  // Recompute the range when the selection changes (not on every render: "now" moves).
  const rangeKey = JSON.stringify(state.range);
  const range = useMemo(() => resolveRange(JSON.parse(rangeKey) as RangeSelection), [rangeKey]);
  const filter: StatsInput = useMemo(
    () => ({ ...range.input, schemaId: schema, adaptorId: adaptor, eventType: type }),
    [range, schema, adaptor, type],
  );
  const previousFilter: StatsInput = useMemo(
    () => ({ ...range.previous.input, schemaId: schema, adaptorId: adaptor, eventType: type }),
    [range, schema, adaptor, type],
  );

  const stats = useOverviewStats(filter);
  const previous = usePreviousStats(previousFilter);
  const series = useTimeSeries(range.resolution, filter);
  const top = useTop(filter, 8);

  // Live: the server pushes fresh stats whenever the read models change. The pushed stats
  // replace the query's data; the chart and top lists are refreshed at most every 2 s.
  const lastTotal = useRef<number | null>(null);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const filterGroup = useRef<HTMLDivElement>(null);
  const onLive = useCallback(
    (live: Stats) => {
      queryClient.setQueryData(overviewStatsOptions(filter).queryKey, { stats: live });
      if (lastTotal.current !== null && lastTotal.current !== live.totalEvents && !pending.current) {
        pending.current = setTimeout(() => {
          pending.current = null;
          void queryClient.invalidateQueries({ queryKey: queryKeys.timeSeries.all });
          void queryClient.invalidateQueries({ queryKey: queryKeys.top.all });
          void queryClient.invalidateQueries({ queryKey: queryKeys.catalog });
        }, 2_000);
      }
      lastTotal.current = live.totalEvents;
    },
    [queryClient, filter],
  );
  const live = useLiveStats(filter, onLive, range.live);

  const s = stats.data?.stats;
  const p = previous.data?.stats;
  const grafanaBase = grafanaUrl();
  const grafana = grafanaBase ? grafanaLink(grafanaBase, range.start, range.end, { schema, adaptor, event_type: type }) : null;

  const schemaOptions = (catalog.data?.schemas ?? []).map((x) => ({ value: x.name, label: x.isActive ? x.name : `${x.name} (retired)` }));
  const adaptorOptions = (catalog.data?.adaptors ?? []).filter((a) => !schema || a.schemaId === schema).map((a) => ({ value: a.containerId, label: a.name }));
  const typeOptions = [
    ...new Set((catalog.data?.schemas ?? []).filter((x) => !schema || x.name === schema).flatMap((x) => x.eventTypes.map((t) => t.name))),
  ]
    .sort()
    .map((t) => ({ value: t, label: t }));
  const filtered = !!(schema || adaptor || type);
  const noCatalog = catalog.data && catalog.data.schemas.length === 0;

  return (
    <>
      <PageHeader
        title="Overview"
        description={
          <>
            {range.label}
            {filtered && ' · filtered'} · compared with the previous period of the same length
          </>
        }
        actions={
          <>
            {range.live && <LiveBadge error={live.error} />}
            <Button
              size="sm"
              icon={<Share2 className="h-3.5 w-3.5" aria-hidden />}
              onClick={async () => {
                const ok = await copyText(window.location.href);
                toast(ok ? 'success' : 'error', ok ? 'Link copied' : 'Could not copy the link', ok ? 'Anyone signed in sees this view with the same range and filters.' : undefined);
              }}
            >
              Share view
            </Button>
          </>
        }
      />

      <Card className="mb-6 flex flex-col gap-3 p-3 xl:flex-row xl:items-center xl:justify-between">
        <RangePicker presets={PRESETS} value={state.range} onChange={(r) => update({ range: r })} />
        <div ref={filterGroup} className="flex flex-wrap items-center gap-2">
          <FilterSelect label="Schema" allLabel="All schemas" value={schema} options={schemaOptions} onChange={(v) => update({ filters: { schema: v, adaptor: null, type: null } })} />
          <FilterSelect label="Adaptor" allLabel="All adaptors" value={adaptor} options={adaptorOptions} onChange={(v) => update({ filters: { adaptor: v } })} />
          <FilterSelect label="Event type" allLabel="All event types" value={type} options={typeOptions} onChange={(v) => update({ filters: { type: v } })} />
          {filtered && (
            <Button variant="ghost" size="md" icon={<X className="h-3.5 w-3.5" aria-hidden />} onClick={() => {
                update({ filters: { schema: null, adaptor: null, type: null } });
                // The button goes away with the filters: focus stays with them.
                filterGroup.current?.querySelector('select')?.focus();
              }}
            >
              Clear
            </Button>
          )}
        </div>
      </Card>

      {noCatalog && (
        <Card className="mb-6 overflow-hidden">
          <div className="flex flex-col gap-4 bg-gradient-to-r from-brand-50 to-violet-50 p-5 dark:from-brand-500/10 dark:to-violet-500/10 sm:flex-row sm:items-center sm:justify-between">
            <div>
              <p className="font-semibold text-gray-900 dark:text-white">Start tracking in two steps</p>
              <p className="mt-1 text-sm text-gray-600 dark:text-gray-300">Define a schema with your event types, then create an adaptor for your site and paste its snippet.</p>
            </div>
            <div className="flex gap-2">
              <Link to="/schemas" className={clsx('inline-flex h-9 items-center rounded-lg bg-brand-600 px-3.5 text-sm font-medium text-white hover:bg-brand-500', focusRing)}>
                Create a schema
              </Link>
              <Link to="/adaptors" className={clsx('inline-flex h-9 items-center rounded-lg bg-white px-3.5 text-sm font-medium text-gray-800 ring-1 ring-gray-300 hover:bg-gray-50 dark:bg-gray-800 dark:text-gray-100 dark:ring-gray-700', focusRing)}>
                Add an adaptor
              </Link>
            </div>
          </div>
        </Card>
      )}

      {stats.isError ? (
        <Card className="mb-6">
          <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
        </Card>
      ) : (
        <div className="mb-6 grid grid-cols-2 gap-3 sm:gap-4 md:grid-cols-3 xl:grid-cols-5">
          {METRICS.map((m, i) => (
            <div key={m.key} className={clsx(i === 0 && 'col-span-2 md:col-span-1')}>
              <StatCard
                metric={m}
                value={s?.[m.key]}
                previous={p?.[m.key]}
                loading={stats.isPending}
                grafana={grafana}
                // Unique counts come from per-day sketches without an event-type dimension.
                note={type && (m.key === 'uniqueSessions' || m.key === 'uniqueUsers') ? 'of all event types' : undefined}
              />
            </div>
          ))}
        </div>
      )}

      <div className="mb-6 grid gap-4 lg:grid-cols-3">
        <Panel
          title="Events over time"
          subtitle={`per ${range.resolution.toLowerCase()}`}
          className="lg:col-span-2"
          testId="timeseries"
          actions={grafana && <GrafanaLink href={grafana} />}
        >
          {series.isError ? (
            <ErrorState compact error={series.error} onRetry={() => void series.refetch()} />
          ) : !series.data ? (
            <Skeleton className="h-[260px]" />
          ) : series.data.timeSeries.every((pt) => pt.count === 0) ? (
            <div className="flex h-[260px] items-center justify-center">
              <EmptyState compact title="No events in this range" icon={<Sigma className="h-5 w-5" aria-hidden />}>
                {filtered ? 'Try clearing the filters or widening the range.' : 'Events appear here within a second of being sent.'}
              </EmptyState>
            </div>
          ) : (
            <Suspense fallback={<Skeleton className="h-[260px]" />}>
              <TimeSeriesChart points={series.data.timeSeries} resolution={range.resolution} />
            </Suspense>
          )}
        </Panel>
        <Panel title="Events by type" testId="by-type">
          {!s ? <ListSkeleton /> : s.eventsByType.length === 0 ? <EmptyState compact title="No events yet" /> : <RankedBars label="Events by type" items={s.eventsByType.slice(0, 10)} />}
        </Panel>
      </div>

      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        <Panel title="Events by adaptor" testId="by-adaptor">
          {!s ? (
            <ListSkeleton />
          ) : s.eventsByAdaptor.length === 0 ? (
            <EmptyState compact title="No events yet" />
          ) : (
            <RankedBars label="Events by adaptor" items={s.eventsByAdaptor} renderKey={adaptorName} color="bg-violet-500/15 dark:bg-violet-400/15" />
          )}
        </Panel>
        <Panel title="Top pages" subtitle="Page views by path · whole days" testId="top-pages">
          {top.isError ? (
            <ErrorState compact error={top.error} />
          ) : !top.data ? (
            <ListSkeleton />
          ) : top.data.topPages.length === 0 ? (
            <EmptyState compact title="No page views yet" icon={<Eye className="h-5 w-5" aria-hidden />} />
          ) : (
            <RankedBars label="Top pages" items={top.data.topPages} color="bg-sky-500/15 dark:bg-sky-400/15" renderKey={(k) => <span className="font-mono text-[12.5px]">{k}</span>} />
          )}
        </Panel>
        <Panel title="Top clicked links" subtitle="By link text · whole days" testId="top-links" className="md:col-span-2 xl:col-span-1">
          {top.isError ? (
            <ErrorState compact error={top.error} />
          ) : !top.data ? (
            <ListSkeleton />
          ) : top.data.topLinks.length === 0 ? (
            <EmptyState compact title="No link clicks yet" icon={<Link2 className="h-5 w-5" aria-hidden />} />
          ) : (
            <RankedBars label="Top clicked links" items={top.data.topLinks} color="bg-emerald-500/15 dark:bg-emerald-400/15" />
          )}
        </Panel>
      </div>
    </>
  );
}

function GrafanaLink({ href }: { href: string }) {
  return (
    <a href={href} target="_blank" rel="noreferrer" className={clsx('inline-flex items-center gap-1 rounded text-[13px] font-medium text-brand-600 hover:underline dark:text-brand-400', focusRing)}>
      Grafana <ExternalLink className="h-3.5 w-3.5" aria-hidden />
    </a>
  );
}
