import type { ReactNode } from 'react';
import { formatNumber } from '../lib/format';

/** A ranked list with proportional bars (events by type, top pages, ...). */
export function RankedBars({
  items,
  label,
  format = formatNumber,
  renderKey,
  color = 'bg-brand-500/15 dark:bg-brand-400/15',
  testId,
}: {
  items: Array<{ key: string; count: number }>;
  label: string;
  format?: (n: number) => string;
  renderKey?: (key: string) => ReactNode;
  color?: string;
  testId?: string;
}) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <ol aria-label={label} className="space-y-1.5" data-testid={testId}>
      {items.map((item) => (
        <li key={item.key} className="relative flex items-center justify-between gap-3 overflow-hidden rounded-md px-2.5 py-1.5 text-[13px]">
          <span aria-hidden className={`absolute inset-y-0 left-0 rounded-md ${color}`} style={{ width: `${(item.count / max) * 100}%` }} />
          <span className="relative min-w-0 truncate text-gray-700 dark:text-gray-200" title={item.key}>
            {renderKey ? renderKey(item.key) : item.key}
          </span>
          <span className="relative shrink-0 font-medium tabular text-gray-900 dark:text-white">{format(item.count)}</span>
        </li>
      ))}
    </ol>
  );
}
