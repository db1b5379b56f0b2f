import clsx from 'clsx';
import { useLiveState } from '../lib/live';

export function LiveBadge({ error }: { error?: string | null }) {
  const state = useLiveState();
  const live = state === 'live' && !error;
  const label = error ? 'Live updates stopped' : live ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span
      data-testid="live-state"
      data-state={live ? 'live' : state}
      title={error ?? (live ? 'Numbers update as events arrive (pushed over WebSocket)' : 'Waiting for the live connection')}
      className={clsx(
        'inline-flex h-7 items-center gap-2 rounded-full px-2.5 text-xs font-medium ring-1 ring-inset',
        live
          ? 'bg-emerald-50 text-emerald-700 ring-emerald-200 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-500/20'
          : 'bg-amber-50 text-amber-800 ring-amber-200 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-500/20',
      )}
    >
      <span className="relative flex h-2 w-2" aria-hidden>
        {live && <span className="absolute inline-flex h-full w-full animate-ping rounded-full bg-emerald-400 opacity-60" />}
        <span className={clsx('relative inline-flex h-2 w-2 rounded-full', live ? 'bg-emerald-500' : 'bg-amber-500')} />
      </span>
      {label}
    </span>
  );
}
