import clsx from 'clsx';
import { CalendarRange } from 'lucide-react';
import { useState } from 'react';
import { formatDay } from '../lib/range';
import { Button, Input, Segmented, focusRing } from './ui';

export interface RangeValue<K extends string> {
  kind: K | 'custom';
  /** custom ranges: first and last day, inclusive, YYYY-MM-DD */
  from?: string;
  to?: string;
}

/**
 * Preset ranges and custom dates. `lastWeek` is what the custom form offers first (by default
 * the last seven days in the browser's time zone; a site dashboard gives its site's).
 */
export function RangePicker<K extends string>({
  value,
  onChange,
  presets,
  lastWeek,
}: {
  value: RangeValue<K>;
  onChange: (r: RangeValue<K>) => void;
  presets: Array<{ value: K; label: string; short: string }>;
  lastWeek?: { from: string; to: string };
}) {
  const [custom, setCustom] = useState(value.kind === 'custom');
  // The last week, up to today, until a custom range is chosen.
  const [from, setFrom] = useState(() => value.from ?? lastWeek?.from ?? formatDay(new Date(Date.now() - 6 * 86_400_000)));
  const [to, setTo] = useState(() => value.to ?? lastWeek?.to ?? formatDay(new Date()));
  // A custom range that arrives from outside (a shared link, back and forward) fills the form;
  // adjusted while rendering rather than in an effect, so it never paints stale dates.
  const valueKey = `${value.kind} ${value.from ?? ''} ${value.to ?? ''}`;
  const [shown, setShown] = useState(valueKey);
  if (shown !== valueKey) {
    setShown(valueKey);
    if (value.kind === 'custom') {
      setCustom(true);
      if (value.from) setFrom(value.from);
      if (value.to) setTo(value.to);
    }
  }
  const invalid = !from || !to || to < from;

  return (
    <div className="flex flex-wrap items-center gap-2">
      <Segmented
        label="Time range"
        value={value.kind === 'custom' ? null : value.kind}
        options={presets.map((p) => ({ value: p.value, label: p.short, title: p.label }))}
        onChange={(kind) => {
          setCustom(false);
          onChange({ kind });
        }}
      />
      <button
        type="button"
        aria-pressed={custom}
        onClick={() => setCustom((c) => !c)}
        className={clsx(
          'inline-flex h-9 items-center gap-1.5 rounded-lg px-3 text-[13px] font-medium ring-1 ring-inset transition-colors',
          value.kind === 'custom' || custom
            ? 'bg-brand-50 text-brand-700 ring-brand-200 dark:bg-brand-500/10 dark:text-brand-300 dark:ring-brand-500/30'
            : 'text-gray-600 ring-gray-300 hover:bg-gray-50 dark:text-gray-300 dark:ring-gray-700 dark:hover:bg-gray-800',
          focusRing,
        )}
      >
        <CalendarRange className="h-4 w-4" aria-hidden />
        {value.kind === 'custom' && value.from && value.to ? `${value.from} → ${value.to}` : 'Custom'}
      </button>
      {custom && (
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!invalid) onChange({ kind: 'custom', from, to });
          }}
        >
          <label className="flex items-center gap-1.5 text-[13px] text-gray-500 dark:text-gray-400">
            From
            <Input type="date" value={from} max={to || undefined} onChange={(e) => setFrom(e.target.value)} className="w-[9.5rem]" aria-label="From date" />
          </label>
          <label className="flex items-center gap-1.5 text-[13px] text-gray-500 dark:text-gray-400">
            to
            <Input type="date" value={to} min={from || undefined} onChange={(e) => setTo(e.target.value)} className="w-[9.5rem]" aria-label="To date" invalid={invalid} />
          </label>
          <Button type="submit" size="md" variant="primary" disabled={invalid}>
            Apply
          </Button>
        </form>
      )}
    </div>
  );
}
