/** Pipeline health's "Bots kept out": bot events of the last 30 days, per site and day. */
import clsx from 'clsx';
import { Bot } from 'lucide-react';
import { summariseBots, type SiteBots } from '../lib/bots';
import { formatNumber } from '../lib/format';
import { useAdaptorNames, useBotCounts } from '../lib/queryHooks';
import { Badge, Card, CardHeader, EmptyState, ErrorState, Mono, Skeleton } from './ui';

export const BOT_DAYS = 30;

const BAR = 4;
const GAP = 1;
const HEIGHT = 24;

/** The site's days as bars, oldest on the left; each bar's title names its day and count. */
export function BotSparkline({ site, days, name }: { site: SiteBots; days: string[]; name: string }) {
  const peak = Math.max(...site.perDay);
  const busiest = days[site.perDay.indexOf(peak)];
  const width = days.length * (BAR + GAP) - GAP;
  const label = `${name}: ${formatNumber(site.total)} bot event${site.total === 1 ? '' : 's'} in ${days.length} days, most on ${busiest} (${formatNumber(peak)})`;
  return (
    // Narrower on phones: the bars are squeezed rather than the totals pushed out of view.
    <svg
      role="img"
      aria-label={label}
      width={width}
      height={HEIGHT}
      viewBox={`0 0 ${width} ${HEIGHT}`}
      preserveAspectRatio="none"
      className="block w-[90px] sm:w-auto"
      data-testid="bots-sparkline"
    >
      {site.perDay.map((count, i) => {
        const height = count ? Math.max(3, Math.round((count / peak) * HEIGHT)) : 1;
        return (
          <rect
            key={days[i]}
            x={i * (BAR + GAP)}
            y={HEIGHT - height}
            width={BAR}
            height={height}
            rx={1}
            className={count ? 'fill-brand-500 dark:fill-brand-400' : 'fill-gray-200 dark:fill-gray-700'}
          >
            <title>{`${days[i]}: ${formatNumber(count)}`}</title>
          </rect>
        );
      })}
    </svg>
  );
}

/** The adaptor's name over its id; an id no adaptor has (a bot may name any) is shown once. */
function SiteName({ containerId, name }: { containerId: string; name: string }) {
  const known = name !== containerId;
  return (
    <>
      {known && <span className="block truncate font-medium text-gray-900 dark:text-white">{name}</span>}
      {containerId && <Mono className={clsx('block truncate', known ? 'text-xs text-gray-500 dark:text-gray-400' : 'font-medium text-gray-900 dark:text-white')}>{containerId}</Mono>}
    </>
  );
}

export function BotsCard() {
  const counts = useBotCounts(BOT_DAYS);
  const adaptorName = useAdaptorNames();
  const summary = counts.data ? summariseBots(counts.data, BOT_DAYS) : null;
  const siteName = (containerId: string) => (containerId ? adaptorName(containerId) : 'No site named');

  return (
    <Card className="mb-6" data-testid="bots-kept-out">
      <CardHeader
        title="Bots kept out"
        subtitle={`Last ${BOT_DAYS} days (UTC), per site`}
        actions={summary && summary.total > 0 ? <Badge tone="gray">{formatNumber(summary.total)} events</Badge> : undefined}
      />
      <p className="border-b border-gray-100 px-5 py-2.5 text-[13px] text-gray-600 dark:border-gray-800 dark:text-gray-300">
        Events from crawlers, headless browsers, clients without a User-Agent and pages under automation are counted here and never recorded as events or counted as visitors.
      </p>
      {counts.isError ? (
        <ErrorState compact error={counts.error} onRetry={() => void counts.refetch()} />
      ) : !summary ? (
        <div className="space-y-2 p-4">
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
        </div>
      ) : summary.sites.length === 0 ? (
        <EmptyState compact icon={<Bot className="h-5 w-5" aria-hidden />} title={`No bots in the last ${BOT_DAYS} days`}>
          No crawler, headless browser or automated page sent an event in that time.
        </EmptyState>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm" data-testid="bots-table">
            <caption className="sr-only">Bot events per site over the last {BOT_DAYS} days</caption>
            <thead className="text-xs font-medium uppercase tracking-wide text-gray-500 dark:text-gray-400">
              <tr className="border-b border-gray-100 dark:border-gray-800">
                <th scope="col" className="px-5 py-2">Site</th>
                <th scope="col" className="px-3 py-2">Per day</th>
                <th scope="col" className="hidden px-3 py-2 text-right sm:table-cell">Today</th>
                <th scope="col" className="px-5 py-2 text-right">{BOT_DAYS} days</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100 dark:divide-gray-800">
              {summary.sites.map((site) => (
                <tr key={site.containerId} data-testid="bots-row" data-container-id={site.containerId}>
                  <th scope="row" className="max-w-[12rem] px-5 py-2.5 text-left font-normal">
                    <SiteName containerId={site.containerId} name={siteName(site.containerId)} />
                  </th>
                  <td className="px-3 py-2.5">
                    <BotSparkline site={site} days={summary.days} name={siteName(site.containerId)} />
                  </td>
                  <td className="hidden px-3 py-2.5 text-right tabular text-gray-700 dark:text-gray-300 sm:table-cell">{formatNumber(site.today)}</td>
                  <td className="px-5 py-2.5 text-right font-medium tabular text-gray-900 dark:text-white" data-testid="bots-total">
                    {formatNumber(site.total)}
                  </td>
                </tr>
              ))}
            </tbody>
            {summary.sites.length > 1 && (
              <tfoot className="border-t border-gray-200 text-gray-900 dark:border-gray-700 dark:text-white">
                <tr>
                  <th scope="row" className="px-5 py-2.5 text-left font-medium" colSpan={2}>
                    All sites
                  </th>
                  <td className="hidden px-3 py-2.5 text-right tabular sm:table-cell">{formatNumber(summary.sites.reduce((sum, s) => sum + s.today, 0))}</td>
                  <td className="px-5 py-2.5 text-right font-semibold tabular">{formatNumber(summary.total)}</td>
                </tr>
              </tfoot>
            )}
          </table>
          <BotDays sites={summary.sites} days={summary.days} siteName={siteName} />
        </div>
      )}
    </Card>
  );
}

/** The sparklines' data for screen readers: the days with bot events, a column per site. */
function BotDays({ sites, days, siteName }: { sites: SiteBots[]; days: string[]; siteName: (containerId: string) => string }) {
  const shown = days.map((day, i) => [day, i] as const).filter(([, i]) => sites.some((site) => site.perDay[i] > 0));
  return (
    // sr-only on the table itself would not clip it: a table is as wide as its cells.
    <div className="sr-only">
      <table data-testid="bots-days">
        <caption>Bot events per day and site, days with any</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {sites.map((site) => (
              <th key={site.containerId} scope="col">
                {siteName(site.containerId)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map(([day, i]) => (
            <tr key={day}>
              <th scope="row">{day}</th>
              {sites.map((site) => (
                <td key={site.containerId}>{formatNumber(site.perDay[i])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
