/**
 * One site's dashboard, as Plausible and Umami users know it: the period, current visitors,
 * the top graph (five figures with their change from the previous period, one of them over
 * time), and cards of breakdowns whose rows filter the whole page. The signed-in page and a
 * shared link's page both show it; they differ in who reads (the StatsClient in the context)
 * and in what they put around it.
 */
import { useQuery } from '@tanstack/react-query';
import { firingsPath, graphMarks, type FiringOut } from '../../lib/alerts';
import { rest } from '../../lib/http';
import { usePageHeading } from '../../lib/pageHeading';
import { queryKeys } from '../../lib/queryKeys';
import { useMemo, useRef, type ReactNode } from 'react';
import { CARDS } from '../../lib/breakdowns';
import { useCurrentVisitors, useRefreshOnChange, useSiteArrivals, useStats } from '../../lib/siteHooks';
import { toStatsFilters, withFilter, withoutFilter } from '../../lib/siteFilters';
import { METRICS, metricSpec } from '../../lib/siteMetrics';
import { dateRangeOf, describeDays, includesToday, intervalOf, nowStampIn, PERIODS, shiftDay, todayIn, validPeriod } from '../../lib/sitePeriod';
import { useSiteState } from '../../lib/siteState';
import { timeSeriesQuery, totalsQuery } from '../../lib/statsApi';
import { useStatsClient } from '../../lib/statsClient';
import { RangePicker } from '../RangePicker';
import { Card, ErrorState, Skeleton } from '../ui';
import { BreakdownCard } from './BreakdownCard';
import { CurrentVisitors } from './CurrentVisitors';
import { FilterChips } from './FilterChips';
import { GoalsCard } from './GoalsCard';
import { KpiTiles } from './KpiTiles';
import { graphPoints, SiteGraph } from './SiteGraph';

export interface SiteInfo {
  containerId: string;
  name: string;
  timezone: string;
  /** The site's address, shown under its name. */
  domain?: string | null;
}

/** How often a shared link's page asks again for figures of a period that holds today. */
const REFRESH_MS = 60_000;

export function SiteView({ site, title, actions, marksAlerts = false }: { site: SiteInfo; title?: ReactNode; actions?: ReactNode; marksAlerts?: boolean }) {
  const [state, update] = useSiteState();
  const period = validPeriod(state.period);
  const filters = state.filters;
  const scope = useMemo(() => ({ siteId: site.containerId, dateRange: dateRangeOf(period), filters: toStatsFilters(filters) }), [site.containerId, period, filters]);
  const live = includesToday(period, site.timezone);
  const interval = intervalOf(period);
  const spec = metricSpec(state.graph);
  const heading = usePageHeading(site.name);
  const headingElement = useRef<HTMLHeadingElement | null>(null);

  // Signed in, the site's new events are pushed; a shared link's reader asks every minute instead.
  const client = useStatsClient();
  const refetchInterval = live && !client.canSubscribe && REFRESH_MS;
  const totals = useStats(totalsQuery(scope, METRICS.map((m) => m.metric)), refetchInterval);
  const series = useStats(timeSeriesQuery(scope, state.graph, interval), refetchInterval);
  const current = useCurrentVisitors(site.containerId);
  const arrivals = useSiteArrivals(site.containerId, live);
  useRefreshOnChange(client.canSubscribe ? arrivals : current.count, live);

  const today = todayIn(site.timezone);
  const days = totals.data?.query.date_range;
  // Signed in, the alerts that fired in the period are marked on the graph.
  const firings = useQuery({
    queryKey: queryKeys.site.firings(site.containerId, days ?? []),
    queryFn: () => rest<FiringOut[]>('GET', firingsPath(site.containerId, days!)),
    enabled: marksAlerts && !!days,
  });
  const onFilter = (dimension: string, value: string) => update({ filters: withFilter(filters, { op: 'is', dimension, value }) });

  return (
    <>
      <div className="mb-5 flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0">
          {title ?? (
            <h1
              ref={(element) => {
                headingElement.current = element;
                heading(element);
              }}
              tabIndex={-1} className="truncate text-xl font-semibold tracking-tight text-gray-900 focus:outline-none dark:text-white sm:text-2xl">
              {site.name}
            </h1>
          )}
          <p className="mt-1 flex flex-wrap gap-x-1.5 text-sm text-gray-500 dark:text-gray-400">
            {site.domain && <span>{site.domain} ·</span>}
            <span data-testid="site-days">{days ? describeDays(days) : '…'}</span>
            <span>· days in {site.timezone}</span>
          </p>
        </div>
        {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
      </div>

      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <RangePicker presets={PERIODS} value={period} onChange={(next) => update({ period: next })} lastWeek={{ from: shiftDay(today, -6), to: today }} />
        <CurrentVisitors count={current.count} error={current.error} />
      </div>

      <div className="mb-4">
        <FilterChips filters={filters} onRemove={(index) => update({ filters: withoutFilter(filters, index) })} onClear={() => update({ filters: [] })} onFocusLost={() => headingElement.current?.focus()} />
      </div>

      <Card className="mb-6 overflow-hidden" data-testid="top-graph">
        {totals.isError ? (
          <ErrorState error={totals.error} onRetry={() => void totals.refetch()} />
        ) : (
          <KpiTiles row={totals.data?.results[0]} loading={totals.isPending} selected={state.graph} onSelect={(graph) => update({ graph }, { replace: true })} />
        )}
        <div className="p-4">
          {series.isError ? (
            <ErrorState compact error={series.error} onRetry={() => void series.refetch()} />
          ) : !series.data ? (
            <Skeleton className="h-[260px]" />
          ) : (
            <SiteGraph spec={spec} points={graphPoints(series.data, nowStampIn(site.timezone))} interval={interval} marks={graphMarks(firings.data ?? [], site.timezone, interval)} />
          )}
        </div>
      </Card>

      <div className="grid gap-4 lg:grid-cols-2">
        {CARDS.map((card) => (
          <BreakdownCard key={card.id} spec={card} scope={scope} onFilter={onFilter} filtered={filters.length > 0} />
        ))}
        <GoalsCard scope={scope} onFilter={onFilter} filtered={filters.length > 0} />
      </div>
    </>
  );
}
