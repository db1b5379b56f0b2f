import { useMutation, useQueryClient } from '@tanstack/react-query';
import clsx from 'clsx';
import { Gauge, History, RefreshCcw, ShieldCheck, TriangleAlert } from 'lucide-react';
import { useCallback, useRef, useState } from 'react';
import { BOT_DAYS, BotsCard } from '../components/BotsCard';
import { TimeSeriesChart } from '../components/Charts';
import { FilterSelect } from '../components/FilterSelect';
import { LiveBadge } from '../components/LiveBadge';
import { PlacesNotice } from '../components/Places';
import { FixLinks, RejectedRow } from '../components/RejectedRow';
import { ConfirmDialog } from '../components/Dialog';
import { Alert, Badge, Button, Card, CardHeader, EmptyState, ErrorState, Mono, PageHeader, Skeleton } from '../components/ui';
import { ApiError, messageOf } from '../lib/errors';
import { formatDuration, formatNumber, formatRate, formatRelative } from '../lib/format';
import { rest } from '../lib/http';
import { useCatalog, useLiveStats, usePipeline, usePipelineHealth, useRejectedEvents, useReplayStatus } from '../lib/queryHooks';
import { REASONS } from '../lib/rejections';
import { queryKeys } from '../lib/queryKeys';
import { useIsAdmin } from '../lib/session';
import { toast } from '../lib/toast';

const REASON_OPTIONS = REASONS.map((r) => ({ value: r.code, label: r.label }));

function lagTone(seconds: number, behind: number): 'green' | 'amber' | 'red' {
  if (behind === 0 || seconds < 5) return 'green';
  if (seconds < 60) return 'amber';
  return 'red';
}

export interface ReprocessOutcome {
  kind: 'done' | 'unavailable' | 'error';
  reprocessed?: number;
  stillRejected?: number;
  message?: string;
}

/** Calls the re-process endpoint; a 404 for the route itself means this server lacks it. */
export async function reprocess(schemaId: string | null): Promise<ReprocessOutcome> {
  try {
    const out = await rest<{ reprocessed: number; still_rejected: number }>('POST', '/api/events/rejected/reprocess', { schema_id: schemaId });
    return { kind: 'done', reprocessed: out.reprocessed, stillRejected: out.still_rejected };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'no_route') {
      return { kind: 'unavailable', message: 'This server does not offer re-processing yet (POST /api/events/rejected/reprocess answered 404).' };
    }
    return { kind: 'error', message: messageOf(error) };
  }
}

export interface Figure {
  label: string;
  value: string;
  unit?: string;
  title?: string;
}

/** The ingest card's figures, from the last hour's counts per minute (oldest first). */
export function ingestFigures(points: ReadonlyArray<{ count: number }>): Figure[] {
  // The newest minute is still filling: the last full one is the one before it.
  const lastFull = points.length >= 2 ? points[points.length - 2].count : 0;
  const perMinute = points.length ? points.reduce((sum, p) => sum + p.count, 0) / points.length : 0;
  const peak = Math.max(0, ...points.map((p) => p.count));
  return [
    { label: 'Last full minute', value: formatNumber(lastFull) },
    { label: 'Average', ...formatRate(perMinute), title: `${perMinute.toFixed(2)} events a minute over the last hour` },
    { label: 'Peak / min', value: formatNumber(peak) },
  ];
}

export default function PipelinePage() {
  const isAdmin = useIsAdmin();
  const queryClient = useQueryClient();
  const catalog = useCatalog();
  const [schemaId, setSchemaId] = useState<string | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  const [confirm, setConfirm] = useState(false);
  const [unavailable, setUnavailable] = useState<string | null>(null);
  const [lastResult, setLastResult] = useState<ReprocessOutcome | null>(null);

  // Fixed when the page opens: the subscription only needs to hear that something changed.
  const [rateFilter] = useState(() => ({ start: new Date(Date.now() - 60 * 60_000).toISOString() }));
  const pipeline = usePipeline();
  const health = usePipelineHealth();
  const replay = useReplayStatus();
  const rejected = useRejectedEvents(schemaId, reason);

  // Pushed, not polled: every change of the read models refreshes this page (at most every 1.5 s).
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const onChange = useCallback(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void queryClient.invalidateQueries({ queryKey: queryKeys.pipeline });
      void queryClient.invalidateQueries({ queryKey: queryKeys.rejected.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.replay });
      void queryClient.invalidateQueries({ queryKey: queryKeys.collection.bots(BOT_DAYS) });
    }, 1_500);
  }, [queryClient]);
  const live = useLiveStats(rateFilter, onChange);

  const run = useMutation({
    mutationFn: () => reprocess(schemaId),
    onSuccess: (outcome) => {
      setConfirm(false);
      setLastResult(outcome);
      if (outcome.kind === 'unavailable') setUnavailable(outcome.message!);
      else if (outcome.kind === 'error') toast('error', 'Re-processing failed', outcome.message);
      else {
        toast(
          'success',
          `${formatNumber(outcome.reprocessed!)} re-processed`,
          outcome.stillRejected ? `${formatNumber(outcome.stillRejected)} still break a rule.` : 'Every rejected event now passes.',
        );
        void queryClient.invalidateQueries({ queryKey: queryKeys.rejected.all });
        void queryClient.invalidateQueries({ queryKey: queryKeys.stats.all });
      }
    },
  });

  const points = pipeline.data?.timeSeries ?? [];
  const items = rejected.data?.pages.flatMap((p) => p.rejectedEvents.items) ?? [];
  const waiting = items.filter((i) => !i.reprocessed);
  const runs = replay.data?.replayStatus ?? [];
  const running = runs.filter((r) => r.state === 'running');

  return (
    <>
      <PageHeader
        title="Pipeline health"
        description="How far the read models are behind the event store, how fast events arrive, and what was rejected or kept out."
        actions={<LiveBadge error={live.error} />}
      />

      <PlacesNotice className="mb-6" />

      {runs.length > 0 && (
        <Card className="mb-6" data-testid="replay-status">
          <CardHeader
            title={running.length ? 'Replay in progress' : 'Replays'}
            subtitle={running.length ? 'Read models are being rebuilt from the full history; the current ones keep serving.' : 'Rebuilds of read models from the full history'}
          />
          <ul className="divide-y divide-gray-100 dark:divide-gray-800">
            {runs.slice(0, 6).map((r) => {
              const pct = r.eventsTotal ? Math.min(100, (r.eventsDone / r.eventsTotal) * 100) : r.state === 'finished' ? 100 : 0;
              return (
                <li key={r.projection} className="px-5 py-3.5">
                  <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
                    <span className="flex items-center gap-2">
                      <Mono className="font-medium text-gray-900 dark:text-white">{r.projection}</Mono>
                      <Badge tone={r.state === 'running' ? 'brand' : r.state === 'finished' ? 'green' : 'red'} dot>
                        {r.state}
                      </Badge>
                    </span>
                    <span className="text-xs text-gray-500 tabular dark:text-gray-400">
                      {formatNumber(r.eventsDone)} / {formatNumber(r.eventsTotal)} events
                      {r.state === 'running' && ` · ${formatNumber(Math.round(r.rate))}/s · ETA ${r.etaSeconds != null ? formatDuration(r.etaSeconds) : '—'}`}
                      {r.finishedAt && ` · finished ${formatRelative(r.finishedAt)}`}
                    </span>
                  </div>
                  <div className="mt-2 h-2 overflow-hidden rounded-full bg-gray-100 dark:bg-gray-800" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)} aria-label={`Replay of ${r.projection}`}>
                    <div className={clsx('h-full rounded-full transition-all', r.state === 'running' ? 'bg-brand-500' : 'bg-emerald-500')} style={{ width: `${pct}%` }} />
                  </div>
                </li>
              );
            })}
          </ul>
        </Card>
      )}

      <div className="mb-6 grid gap-4 lg:grid-cols-3">
        <Card className="lg:col-span-1" data-testid="projection-lag">
          <CardHeader title="Projection lag" subtitle="Events and seconds each read model is behind" />
          {health.data?.databaseHealth.available === false && (
            <Alert tone="amber" title="The database is unavailable" className="mx-4 mt-3">
              Events are still accepted and kept in Kafka; the read models catch up when the database returns.
              {health.data.databaseHealth.problem && <span className="mt-1 block font-mono text-xs">{health.data.databaseHealth.problem}</span>}
            </Alert>
          )}
          {health.isError && !health.data ? (
            <ErrorState compact error={health.error} onRetry={() => void health.refetch()} />
          ) : !health.data ? (
            <div className="space-y-2 p-4">
              <Skeleton className="h-12" />
              <Skeleton className="h-12" />
            </div>
          ) : health.data.projectionLag.length === 0 ? (
            <EmptyState compact title="No projections reported" icon={<Gauge className="h-5 w-5" aria-hidden />} />
          ) : (
            <ul className="divide-y divide-gray-100 dark:divide-gray-800">
              {health.data.projectionLag.map((l) => {
                const tone = lagTone(l.secondsBehind, l.eventsBehind);
                return (
                  <li key={l.projection} className="flex items-center justify-between gap-3 px-5 py-3">
                    <div className="min-w-0">
                      <p className="truncate font-mono text-[13px] font-medium text-gray-900 dark:text-white">{l.projection}</p>
                      <p className="text-xs text-gray-500 dark:text-gray-400">last applied {formatRelative(l.lastAppliedAt)}</p>
                    </div>
                    <div className="text-right">
                      <Badge tone={tone} dot>
                        {l.eventsBehind === 0 ? 'up to date' : `${formatNumber(l.eventsBehind)} behind`}
                      </Badge>
                      <p className="mt-1 text-xs text-gray-500 tabular dark:text-gray-400">{formatDuration(l.secondsBehind)}</p>
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
        <Card className="lg:col-span-2" data-testid="ingest-rate">
          <CardHeader title="Ingest rate" subtitle="Events per minute, last hour" />
          <div className="grid grid-cols-3 gap-4 px-5 pt-4">
            {ingestFigures(points).map(({ label, value, unit, title }) => (
              <div key={label} title={title}>
                <p className="text-xs text-gray-500 dark:text-gray-400">{label}</p>
                <p className="text-xl font-semibold tabular text-gray-900 dark:text-white">
                  {pipeline.data ? value : '—'}
                  {pipeline.data && unit && <span className="ml-0.5 text-sm font-medium text-gray-500 dark:text-gray-400">{unit}</span>}
                </p>
              </div>
            ))}
          </div>
          <div className="p-4 pt-2">
            {pipeline.data ? <TimeSeriesChart points={points} resolution="MINUTE" height={180} name="Events per minute" tone="secondary" /> : <Skeleton className="h-[180px]" />}
          </div>
        </Card>
      </div>

      <BotsCard />

      <Card data-testid="rejected-events">
        <CardHeader
          title="Rejected events"
          subtitle="Events that failed a check, with the reasons. Fix the schema or adaptor, then re-process them."
          actions={
            <>
              <FilterSelect label="Schema" allLabel="All schemas" value={schemaId} options={(catalog.data?.schemas ?? []).map((s) => ({ value: s.name, label: s.name }))} onChange={setSchemaId} />
              <FilterSelect label="Reason" allLabel="All reasons" value={reason} options={REASON_OPTIONS} onChange={setReason} />
              {isAdmin && (
                <Button variant="primary" icon={<RefreshCcw className="h-4 w-4" aria-hidden />} onClick={() => setConfirm(true)} loading={run.isPending} disabled={!!unavailable}>
                  Re-process{schemaId ? ` ${schemaId}` : ''}
                </Button>
              )}
            </>
          }
        />
        {unavailable && (
          <Alert tone="amber" className="m-4" title="Re-processing is not available">
            <span data-testid="reprocess-unavailable">{unavailable}</span>
          </Alert>
        )}
        {lastResult?.kind === 'done' && (
          <Alert tone={lastResult.stillRejected ? 'amber' : 'green'} className="m-4">
            <span data-testid="reprocess-result">
              {formatNumber(lastResult.reprocessed!)} re-processed, {formatNumber(lastResult.stillRejected!)} still rejected.
            </span>
          </Alert>
        )}
        {rejected.isError ? (
          <ErrorState error={rejected.error} onRetry={() => void rejected.refetch()} />
        ) : rejected.isPending ? (
          <div className="space-y-2 p-4">
            {[1, 2, 3].map((i) => (
              <Skeleton key={i} className="h-14" />
            ))}
          </div>
        ) : items.length === 0 ? (
          <EmptyState icon={<ShieldCheck className="h-5 w-5" aria-hidden />} title={schemaId || reason ? 'No rejected events match' : 'No rejected events'}>
            Every event so far passed its schema and adaptor checks.
          </EmptyState>
        ) : (
          <>
            {waiting.length > 0 && (
              <p className="flex flex-wrap items-center gap-1.5 border-b border-gray-100 px-5 py-2 text-xs text-gray-500 dark:border-gray-800 dark:text-gray-400" data-testid="rejected-fixes">
                <TriangleAlert className="h-3.5 w-3.5 text-amber-500" aria-hidden />
                {formatNumber(waiting.length)} shown {waiting.length === 1 ? 'is' : 'are'} waiting for a fix.{' '}
                <FixLinks codes={waiting.flatMap((i) => i.reasons.map((r) => r.code))} />
              </p>
            )}
            <ul className="divide-y divide-gray-100 dark:divide-gray-800" data-testid="rejected-list">
              {items.map((item) => (
                <RejectedRow key={item.eventId} item={item} />
              ))}
            </ul>
            {rejected.hasNextPage && (
              <div className="border-t border-gray-100 px-5 py-3 dark:border-gray-800">
                <Button size="sm" onClick={() => void rejected.fetchNextPage()} loading={rejected.isFetchingNextPage}>
                  Load more
                </Button>
              </div>
            )}
          </>
        )}
      </Card>

      {!runs.length && replay.isSuccess && (
        <p className="mt-6 flex items-center gap-1.5 text-xs text-gray-500 dark:text-gray-400">
          <History className="h-3.5 w-3.5" aria-hidden /> No replay has run. <code className="font-mono">eventlens replay</code> rebuilds read models from the full history without downtime; its progress shows here.
        </p>
      )}

      <ConfirmDialog
        open={confirm}
        onClose={() => setConfirm(false)}
        title="Re-process rejected events?"
        confirmLabel="Re-process"
        loading={run.isPending}
        onConfirm={() => run.mutate()}
      >
        Every rejected event{schemaId ? ` of ${schemaId}` : ''} that now passes its checks is appended with its original ID (once). The others stay rejected with their reasons.
      </ConfirmDialog>
    </>
  );
}
