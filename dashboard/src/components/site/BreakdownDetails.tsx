/** Every row of a breakdown, a hundred at a time. */
import { formatNumber } from '../../lib/format';
import type { BreakdownView } from '../../lib/breakdowns';
import { useStatsPages } from '../../lib/siteHooks';
import { breakdownQuery } from '../../lib/statsApi';
import { Modal } from '../Dialog';
import { Button, ErrorState, Skeleton } from '../ui';
import type { BreakdownScope } from './BreakdownCard';
import { BreakdownTable } from './BreakdownTable';

export const DETAILS_PAGE = 100;

function DetailsList({ scope, view, onFilter, title }: { scope: BreakdownScope; view: BreakdownView; onFilter: (value: string) => void; title: string }) {
  const { pagination: _, ...query } = breakdownQuery(scope, view.dimensions, { limit: DETAILS_PAGE, offset: 0 });
  const pages = useStatsPages(query, DETAILS_PAGE);
  if (pages.isError) return <ErrorState compact error={pages.error} onRetry={() => void pages.refetch()} />;
  if (!pages.data) return <Skeleton className="h-64" />;
  const rows = pages.data.pages.flatMap((page) => page.results);
  const total = pages.data.pages[0]?.meta.total_rows ?? rows.length;
  return (
    <div data-testid="breakdown-details">
      <p className="mb-3 text-[13px] text-gray-500 dark:text-gray-400" aria-live="polite">
        {formatNumber(rows.length)} of {formatNumber(total)} shown
      </p>
      <BreakdownTable rows={rows} column={view.column} dimension={view.dimensions[0]} onFilter={onFilter} caption={title} />
      {pages.hasNextPage && (
        <div className="mt-3 flex justify-center">
          <Button size="sm" loading={pages.isFetchingNextPage} onClick={() => void pages.fetchNextPage()}>
            Show {formatNumber(Math.min(DETAILS_PAGE, total - rows.length))} more
          </Button>
        </div>
      )}
    </div>
  );
}

export function BreakdownDetails({ open, onClose, title, scope, view, onFilter }: { open: boolean; onClose: () => void; title: string; scope: BreakdownScope; view: BreakdownView; onFilter: (value: string) => void }) {
  return (
    <Modal open={open} onClose={onClose} title={title} description="Pick a row to filter the whole dashboard by it." size="lg">
      {open && <DetailsList scope={scope} view={view} onFilter={onFilter} title={title} />}
    </Modal>
  );
}
