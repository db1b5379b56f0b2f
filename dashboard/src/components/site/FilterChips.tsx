/** The filters applied to the whole site dashboard, each removable. */
import clsx from 'clsx';
import { Filter, X } from 'lucide-react';
import { useRef } from 'react';
import { describeFilter, type SiteFilter } from '../../lib/siteFilters';
import { Button, focusRing } from '../ui';

/**
 * Removing a chip moves focus to the next one (the previous for the last); removing the last
 * chip, or all of them, calls `onFocusLost` so the page can put focus somewhere sensible.
 */
export function FilterChips({ filters, onRemove, onClear, onFocusLost }: { filters: SiteFilter[]; onRemove: (index: number) => void; onClear: () => void; onFocusLost?: () => void }) {
  const group = useRef<HTMLDivElement>(null);
  if (filters.length === 0) return null;
  const remove = (index: number) => {
    onRemove(index);
    if (filters.length === 1) onFocusLost?.();
    else requestAnimationFrame(() => group.current?.querySelectorAll<HTMLElement>('[data-remove-filter]')[Math.min(index, filters.length - 2)]?.focus());
  };
  return (
    <div ref={group} className="flex flex-wrap items-center gap-2" role="group" aria-label="Filters" data-testid="filters">
      <Filter className="h-4 w-4 text-gray-400" aria-hidden />
      {filters.map((filter, index) => {
        const text = describeFilter(filter);
        return (
          <span
            key={`${filter.dimension} ${filter.value}`}
            className="inline-flex h-8 max-w-full items-center gap-1 rounded-full bg-brand-50 pl-3 pr-1 text-[13px] font-medium text-brand-800 ring-1 ring-inset ring-brand-200 dark:bg-brand-500/10 dark:text-brand-200 dark:ring-brand-500/30"
            data-testid="filter-chip"
          >
            <span className="truncate" title={text}>
              {text}
            </span>
            <button
              type="button"
              onClick={() => remove(index)}
              data-remove-filter
              aria-label={`Remove filter: ${text}`}
              className={clsx('inline-flex h-6 w-6 shrink-0 items-center justify-center rounded-full text-brand-600 hover:bg-brand-100 dark:text-brand-300 dark:hover:bg-brand-500/20', focusRing)}
            >
              <X className="h-3.5 w-3.5" aria-hidden />
            </button>
          </span>
        );
      })}
      {filters.length > 1 && (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => {
            onClear();
            onFocusLost?.();
          }}
        >
          Clear all
        </Button>
      )}
    </div>
  );
}
