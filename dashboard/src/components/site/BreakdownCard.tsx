/**
 * A card of breakdowns (sources, pages, places, devices): tabs, the top ten rows, every row in
 * a details list, and the current breakdown as a CSV file.
 */
import { Download, Maximize2 } from 'lucide-react';
import { useId, useState } from 'react';
import { breakdownCsv, breakdownFilename, type BreakdownCardSpec, type BreakdownView } from '../../lib/breakdowns';
import { messageOf } from '../../lib/errors';
import { download } from '../../lib/export';
import { fetchAllRows, useStats } from '../../lib/siteHooks';
import { breakdownQuery, type DateRange, type StatsFilter } from '../../lib/statsApi';
import { useStatsClient } from '../../lib/statsClient';
import { toast } from '../../lib/toast';
import { GeoAttribution } from '../Places';
import { TabList, useTabs } from '../Tabs';
import { CommitSelect } from '../CommitSelect';
import { Button, Card, EmptyState, ErrorState, Skeleton } from '../ui';
import { BreakdownDetails } from './BreakdownDetails';
import { BreakdownTable } from './BreakdownTable';

export const TOP_ROWS = 10;
export const EXPORT_LIMIT = 10_000;

export interface BreakdownScope {
  siteId: string;
  dateRange: DateRange;
  filters: StatsFilter[];
}

function ExportButton({ scope, view, title, days }: { scope: BreakdownScope; view: BreakdownView; title: string; days: [string, string] | undefined }) {
  const client = useStatsClient();
  const [busy, setBusy] = useState(false);
  return (
    <Button
      size="sm"
      variant="ghost"
      loading={busy}
      icon={<Download className="h-3.5 w-3.5" aria-hidden />}
      aria-label={`Export ${title} (${view.column}) as CSV`}
      onClick={async () => {
        setBusy(true);
        try {
          const rows = await fetchAllRows(client, breakdownQuery(scope, view.dimensions, { limit: EXPORT_LIMIT, offset: 0 }), EXPORT_LIMIT);
          download(breakdownFilename(scope.siteId, view, days), breakdownCsv(view, rows), 'text/csv;charset=utf-8');
        } catch (error) {
          toast('error', 'Could not export the CSV', messageOf(error));
        } finally {
          setBusy(false);
        }
      }}
    >
      CSV
    </Button>
  );
}

export function BreakdownCard({ spec, scope, onFilter, filtered }: { spec: BreakdownCardSpec; scope: BreakdownScope; onFilter: (dimension: string, value: string) => void; filtered: boolean }) {
  const titleId = useId();
  const [tabId, setTabId] = useState(spec.tabs[0].id);
  const [choices, setChoices] = useState<Record<string, string>>({});
  const [details, setDetails] = useState(false);
  const tabs = useTabs(tabId, setTabId);
  const tab = spec.tabs.find((t) => t.id === tabId) ?? spec.tabs[0];
  const view = tab.views.find((v) => v.id === choices[tab.id]) ?? tab.views[0];
  const dimension = view.dimensions[0];
  const answer = useStats(breakdownQuery(scope, view.dimensions, { limit: TOP_ROWS, offset: 0 }));
  const rows = answer.data?.results ?? [];
  const total = answer.data?.meta.total_rows ?? rows.length;
  const filter = (value: string) => onFilter(dimension, value);

  return (
    <Card className="flex flex-col" data-testid={`card-${spec.id}`} aria-labelledby={titleId}>
      <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 border-b border-gray-100 px-5 py-3.5 dark:border-gray-800">
        <h2 id={titleId} className="text-sm font-semibold text-gray-900 dark:text-gray-100">
          {spec.title}
        </h2>
        <TabList label={`${spec.title} by`} tabs={spec.tabs.map((t) => ({ value: t.id, label: t.label }))} state={tabs} />
      </div>
      <div {...tabs.panel} className="flex flex-1 flex-col px-5 py-3" data-testid="breakdown-panel" data-dimension={dimension}>
        {tab.views.length > 1 && (
          <label className="mb-2 flex items-center gap-2 text-xs text-gray-500 dark:text-gray-400">
            Parameter
            <CommitSelect className="h-8 w-auto text-[13px]" value={view.id} onCommit={(id) => setChoices({ ...choices, [tab.id]: id })}>
              {tab.views.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.column}
                </option>
              ))}
            </CommitSelect>
          </label>
        )}
        <div className="flex-1 lg:min-h-[20rem]">
          {answer.isError ? (
            <ErrorState compact error={answer.error} onRetry={() => void answer.refetch()} />
          ) : !answer.data ? (
            <div className="space-y-2 pt-6">
              {[90, 70, 55, 40, 30].map((w) => (
                <Skeleton key={w} className="h-7" />
              ))}
            </div>
          ) : rows.length === 0 ? (
            <EmptyState compact title="No visitors">
              {filtered ? 'Nothing in this period matches the filters.' : 'Nothing recorded in this period yet.'}
            </EmptyState>
          ) : (
            <BreakdownTable rows={rows} column={view.column} dimension={dimension} onFilter={filter} caption={`${spec.title}: top ${view.column.toLowerCase()} by visitors`} />
          )}
        </div>
      </div>
      <div className="flex flex-wrap items-center justify-between gap-2 border-t border-gray-100 px-3 py-2 dark:border-gray-800">
        <div className="pl-2">{spec.geo && <GeoAttribution />}</div>
        <div className="flex items-center gap-1">
          <ExportButton scope={scope} view={view} title={spec.title} days={answer.data?.query.date_range} />
          <Button size="sm" variant="ghost" icon={<Maximize2 className="h-3.5 w-3.5" aria-hidden />} disabled={total <= rows.length} onClick={() => setDetails(true)} aria-label={`Details: every ${view.column.toLowerCase()}`}>
            Details
          </Button>
        </div>
      </div>
      <BreakdownDetails
        open={details}
        onClose={() => setDetails(false)}
        title={`${spec.title}: ${view.column}`}
        scope={scope}
        view={view}
        onFilter={(value) => {
          setDetails(false);
          filter(value);
        }}
      />
    </Card>
  );
}
