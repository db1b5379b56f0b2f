/** A site's dashboard for signed-in users (`/sites/:containerId`), with a site switcher and, for admins, its goals and shared links. */
import { Compass } from 'lucide-react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { FunnelsCard } from '../components/site/Funnels';
import { RetentionCard } from '../components/site/Retention';
import { GoalsButton } from '../components/site/GoalsSettings';
import { RetentionButton } from '../components/site/RetentionSettings';
import { SharedLinksButton } from '../components/site/SharedLinks';
import { SiteWatchButton } from '../components/site/SiteWatch';
import { SiteView } from '../components/site/SiteView';
import { CommitSelect } from '../components/CommitSelect';
import { Card, EmptyState, ErrorState, Skeleton } from '../components/ui';
import { useCatalog } from '../lib/queryHooks';
import { useIsAdmin } from '../lib/session';
import { useSite } from '../lib/siteHooks';
import { siteDomain } from '../lib/siteInfo';
import { dateRangeOf, validPeriod } from '../lib/sitePeriod';
import { useSiteState } from '../lib/siteState';
import { sessionStatsClient, StatsClientContext } from '../lib/statsClient';

function SiteSwitcher({ current }: { current: string }) {
  const catalog = useCatalog();
  const navigate = useNavigate();
  const { search } = useLocation();
  const adaptors = catalog.data?.adaptors ?? [];
  if (adaptors.length < 2) return null;
  return (
    <label className="flex items-center gap-2">
      <span className="sr-only">Site</span>
      <CommitSelect className="h-8 w-auto max-w-[14rem] text-[13px]" value={current} onCommit={(id) => navigate({ pathname: `/sites/${encodeURIComponent(id)}`, search })}>
        {adaptors.map((a) => (
          <option key={a.containerId} value={a.containerId}>
            {a.name}
          </option>
        ))}
      </CommitSelect>
    </label>
  );
}

export default function SitePage() {
  const { containerId = '' } = useParams();
  const site = useSite(containerId);
  const isAdmin = useIsAdmin();
  const [state] = useSiteState();
  const dateRange = dateRangeOf(validPeriod(state.period));

  if (site.isError) {
    return (
      <Card>
        <ErrorState error={site.error} onRetry={() => void site.refetch()} />
      </Card>
    );
  }
  if (site.isPending) {
    return (
      <div className="space-y-4">
        <Skeleton className="h-10 w-64" />
        <Skeleton className="h-80" />
      </div>
    );
  }
  if (!site.data) {
    return (
      <Card>
        <EmptyState icon={<Compass className="h-5 w-5" aria-hidden />} title={`There is no site ${containerId}`} action={<Link to="/sites" className="text-sm font-medium text-brand-600 hover:underline dark:text-brand-400">All sites</Link>}>
          It may have been mistyped; sites are listed with their dashboards.
        </EmptyState>
      </Card>
    );
  }
  const adaptor = site.data;
  return (
    <StatsClientContext.Provider value={sessionStatsClient}>
      <SiteView
        key={adaptor.containerId}
        site={{ containerId: adaptor.containerId, name: adaptor.name, timezone: adaptor.timezone, domain: siteDomain(adaptor.websiteUrls) }}
        marksAlerts
        actions={
          <>
            <SiteSwitcher current={adaptor.containerId} />
            {isAdmin && <GoalsButton containerId={adaptor.containerId} siteName={adaptor.name} />}
            {isAdmin && <SharedLinksButton containerId={adaptor.containerId} siteName={adaptor.name} />}
            {isAdmin && <SiteWatchButton containerId={adaptor.containerId} siteName={adaptor.name} />}
            {isAdmin && <RetentionButton containerId={adaptor.containerId} siteName={adaptor.name} />}
          </>
        }
      />
      <div className="mt-6 grid gap-4">
        <FunnelsCard siteId={adaptor.containerId} dateRange={dateRange} filters={state.filters} isAdmin={isAdmin} />
        <RetentionCard siteId={adaptor.containerId} dateRange={dateRange} />
      </div>
    </StatsClientContext.Provider>
  );
}
