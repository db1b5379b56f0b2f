/** Every site (adaptor), each opening its dashboard. */
import clsx from 'clsx';
import { ChevronRight, Globe, Plug } from 'lucide-react';
import { Link } from 'react-router-dom';
import { Badge, Card, EmptyState, ErrorState, PageHeader, Skeleton, focusRingInset } from '../components/ui';
import { formatNumber } from '../lib/format';
import { useAdaptors } from '../lib/queryHooks';
import { siteDomain } from '../lib/siteInfo';

export default function SitesPage() {
  const adaptors = useAdaptors();
  const list = adaptors.data?.adaptors ?? [];
  return (
    <>
      <PageHeader title="Sites" description="Visitors, sources, pages, places and devices, one dashboard per site." />
      {adaptors.isError ? (
        <Card>
          <ErrorState error={adaptors.error} onRetry={() => void adaptors.refetch()} />
        </Card>
      ) : adaptors.isPending ? (
        <div className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
          {[1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-28" />
          ))}
        </div>
      ) : list.length === 0 ? (
        <Card>
          <EmptyState icon={<Plug className="h-5 w-5" aria-hidden />} title="No sites yet" action={<Link to="/adaptors" className="text-sm font-medium text-brand-600 hover:underline dark:text-brand-400">Add an adaptor</Link>}>
            Each adaptor is a site: create one and paste its tag into the site’s pages.
          </EmptyState>
        </Card>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3" aria-label="Sites">
          {list.map((a) => (
            <li key={a.containerId}>
              <Card as="div" className="h-full overflow-hidden">
                <Link to={`/sites/${encodeURIComponent(a.containerId)}`} className={clsx('flex h-full items-start gap-3 p-4 hover:bg-gray-50 dark:hover:bg-gray-800/40', focusRingInset)} data-testid="site-link">
                  <span className="flex h-9 w-9 shrink-0 items-center justify-center rounded-lg bg-brand-50 text-brand-600 dark:bg-brand-500/10 dark:text-brand-400">
                    <Globe className="h-4 w-4" aria-hidden />
                  </span>
                  <span className="min-w-0 flex-1">
                    <span className="flex items-center gap-2">
                      <span className="truncate font-medium text-gray-900 dark:text-white">{a.name}</span>
                      {!a.isActive && <Badge>disabled</Badge>}
                    </span>
                    <span className="block truncate text-[13px] text-gray-500 dark:text-gray-400">{siteDomain(a.websiteUrls) ?? a.containerId}</span>
                    <span className="mt-2 block text-xs text-gray-500 dark:text-gray-400">
                      {formatNumber(a.eventsLastHour)} events in the last hour · {a.timezone}
                    </span>
                  </span>
                  <ChevronRight className="mt-2 h-4 w-4 shrink-0 text-gray-400" aria-hidden />
                </Link>
              </Card>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
