/** The site's visitors of the last five minutes, pushed (signed in) or asked every ten seconds (shared link). */
import clsx from 'clsx';
import { formatNumber } from '../../lib/format';

export function CurrentVisitors({ count, error }: { count: number | undefined; error: string | null }) {
  const known = count !== undefined;
  const text = !known ? (error ? 'Current visitors unavailable' : 'Counting current visitors…') : `${formatNumber(count)} current visitor${count === 1 ? '' : 's'}`;
  return (
    <span
      className="inline-flex h-8 items-center gap-2 whitespace-nowrap rounded-full px-3 text-[13px] font-medium text-gray-700 ring-1 ring-inset ring-gray-200 dark:text-gray-200 dark:ring-gray-700"
      title={error ?? 'Distinct visitors in the last five minutes'}
      data-testid="current-visitors"
      data-value={known ? count : ''}
    >
      <span className="relative flex h-2 w-2" aria-hidden>
        {known && count > 0 && <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-60" />}
        <span className={clsx('relative inline-flex h-2 w-2 rounded-full', known && count > 0 ? 'bg-emerald-500' : 'bg-gray-400')} />
      </span>
      {text}
    </span>
  );
}
