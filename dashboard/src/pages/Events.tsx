import clsx from 'clsx';
import { ChevronRight, Download, FileJson, FileSpreadsheet, Filter, MapPinOff, Plus, RotateCw, SearchX, Trash2, X } from 'lucide-react';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { PageCell, VisitorCell } from '../components/EventCells';
import { EventDetail } from '../components/EventDetail';
import { FilterSelect } from '../components/FilterSelect';
import { LiveBadge } from '../components/LiveBadge';
import { Drawer } from '../components/Dialog';
import { GeoAttribution, placesNotRecorded, usePlacesProblem } from '../components/Places';
import { Alert, Badge, Button, Card, EmptyState, ErrorState, Field, Input, Mono, PageHeader, Skeleton, focusRing } from '../components/ui';
import type { EventsQuery as EventsResult } from '../gql/graphql';
import { countActive, EMPTY_FILTERS, parseEventFilters, toEventFilterInput, writeEventFilters, type EventFilters, type PropertyPair } from '../lib/eventFilters';
import { download, exportFilename, toCsv, toNdjson, type ExportEvent } from '../lib/export';
import { messageOf } from '../lib/errors';
import { formatDateTime, formatNumber, formatRelative, formatShortDateTime } from '../lib/format';
import { useLiveEvents } from '../lib/liveEvents';
import { fetchEvents, useAdaptorNames, useCatalog, useEvents } from '../lib/queryHooks';
import { toast } from '../lib/toast';
import { hasPlace, pageOf } from '../lib/webFields';

type EventItem = EventsResult['events']['items'][number];
const EXPORT_PAGE = 1000;
const EXPORT_MAX = 200_000;

function preview(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  return Object.entries(value as Record<string, unknown>)
    .filter(([k]) => k !== 'container_id')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

function useExport(filterInput: ReturnType<typeof toEventFilterInput>) {
  const [progress, setProgress] = useState<{ format: 'csv' | 'ndjson'; count: number } | null>(null);
  const cancelled = useRef(false);

  async function run(format: 'csv' | 'ndjson') {
    cancelled.current = false;
    setProgress({ format, count: 0 });
    const all: ExportEvent[] = [];
    let cursor: string | null = null;
    try {
      do {
        const page: EventsResult = await fetchEvents(filterInput, EXPORT_PAGE, cursor);
        all.push(...page.events.items);
        cursor = page.events.nextCursor;
        setProgress({ format, count: all.length });
        if (cancelled.current) return;
      } while (cursor && all.length < EXPORT_MAX);
      const content = format === 'csv' ? toCsv(all) : toNdjson(all);
      download(exportFilename(format), content, format === 'csv' ? 'text/csv;charset=utf-8' : 'application/x-ndjson');
      toast('success', `Exported ${formatNumber(all.length)} events`, cursor ? `Stopped at ${formatNumber(EXPORT_MAX)} events: narrow the filters for the rest.` : undefined);
    } catch (error) {
      toast('error', 'Export failed', messageOf(error));
    } finally {
      setProgress(null);
    }
  }
  return { progress, run, cancel: () => (cancelled.current = true) };
}

function PropertyRows({ rows, onChange }: { rows: PropertyPair[]; onChange: (rows: PropertyPair[]) => void }) {
  return (
    <div className="space-y-2">
      {rows.map((row, i) => (
        <div key={i} className="flex items-center gap-2">
          <Input aria-label={`Property ${i + 1} name`} placeholder="property, e.g. page_path" value={row.key} onChange={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))} className="font-mono text-[13px]" />
          <span className="text-gray-400" aria-hidden>
            =
          </span>
          <Input aria-label={`Property ${i + 1} value`} placeholder="value, e.g. /about" value={row.value} onChange={(e) => onChange(rows.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))} className="font-mono text-[13px]" />
          <button
            type="button"
            aria-label={`Remove property ${i + 1}`}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
            className={clsx('inline-flex h-9 w-9 shrink-0 items-center justify-center rounded-lg text-gray-400 hover:bg-gray-100 hover:text-rose-600 dark:hover:bg-gray-800', focusRing)}
          >
            <Trash2 className="h-4 w-4" aria-hidden />
          </button>
        </div>
      ))}
      <Button size="sm" variant="ghost" icon={<Plus className="h-3.5 w-3.5" aria-hidden />} onClick={() => onChange([...rows, { key: '', value: '' }])}>
        Add property filter
      </Button>
    </div>
  );
}

export default function EventsPage() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => parseEventFilters(params), [params]);
  const filterInput = useMemo(() => toEventFilterInput(filters), [filters]);
  const catalog = useCatalog();
  const adaptorName = useAdaptorNames();
  const [selected, setSelected] = useState<EventItem | null>(null);
  const filterForm = useRef<HTMLFormElement>(null);
  const [showMore, setShowMore] = useState(() => !!(filters.from || filters.to || filters.session || filters.user || filters.props.length));

  // Free-text filters are edited locally and applied on submit; new filters in the URL (a
  // link, back and forward) replace the draft.
  const [draft, setDraft] = useState(filters);
  const [draftOf, setDraftOf] = useState(filters);
  if (draftOf !== filters) {
    setDraftOf(filters);
    setDraft(filters);
  }

  const setFilters = (next: EventFilters) => setParams((prev) => writeEventFilters(prev, next), { replace: false });
  const change = (partial: Partial<EventFilters>) => {
    setFilters({ ...filters, ...partial });
    setSelected(null);
  };

  const query = useEvents(filterInput);
  const live = useLiveEvents(filterInput);

  const events = query.data?.pages.flatMap((p) => p.events.items) ?? [];
  const placesProblem = usePlacesProblem();
  const showsPlaces = events.some(hasPlace);
  const exporter = useExport(filterInput);
  const active = countActive(filters);

  const schemaOptions = (catalog.data?.schemas ?? []).map((s) => ({ value: s.name, label: s.name }));
  const adaptorOptions = (catalog.data?.adaptors ?? []).filter((a) => !filters.schema || a.schemaId === filters.schema).map((a) => ({ value: a.containerId, label: a.name }));
  const typeOptions = [...new Set((catalog.data?.schemas ?? []).filter((s) => !filters.schema || s.name === filters.schema).flatMap((s) => s.eventTypes.map((t) => t.name)))].sort().map((t) => ({ value: t, label: t }));

  function submit(e: FormEvent) {
    e.preventDefault();
    setFilters({ ...filters, from: draft.from, to: draft.to, session: draft.session?.trim() || null, user: draft.user?.trim() || null, props: draft.props.filter((p) => p.key.trim()) });
  }

  return (
    <>
      <PageHeader
        title="Events"
        description="Every accepted event, newest first; new ones appear at the top as they arrive. Filter, inspect and export."
        actions={
          <>
            <LiveBadge error={live.error} />
            {exporter.progress ? (
              <div className="flex items-center gap-2 text-sm text-gray-600 dark:text-gray-300" role="status">
                <Download className="h-4 w-4 animate-pulse" aria-hidden />
                Exporting {exporter.progress.format.toUpperCase()}… {formatNumber(exporter.progress.count)} events
                <Button size="sm" variant="ghost" onClick={exporter.cancel}>
                  Cancel
                </Button>
              </div>
            ) : (
              <>
                <Button size="sm" icon={<FileSpreadsheet className="h-3.5 w-3.5" aria-hidden />} onClick={() => void exporter.run('csv')} disabled={!events.length}>
                  Export CSV
                </Button>
                <Button size="sm" icon={<FileJson className="h-3.5 w-3.5" aria-hidden />} onClick={() => void exporter.run('ndjson')} disabled={!events.length}>
                  Export NDJSON
                </Button>
              </>
            )}
          </>
        }
      />

      <Card className="mb-4">
        <form ref={filterForm} onSubmit={submit} aria-label="Event filters">
          <div className="flex flex-wrap items-center gap-2 p-3">
            <FilterSelect label="Schema" allLabel="All schemas" value={filters.schema} options={schemaOptions} onChange={(v) => change({ schema: v, adaptor: null, type: null })} />
            <FilterSelect label="Adaptor" allLabel="All adaptors" value={filters.adaptor} options={adaptorOptions} onChange={(v) => change({ adaptor: v })} />
            <FilterSelect label="Event type" allLabel="All event types" value={filters.type} options={typeOptions} onChange={(v) => change({ type: v })} />
            <Button variant="ghost" icon={<Filter className="h-3.5 w-3.5" aria-hidden />} aria-expanded={showMore} aria-controls="more-filters" onClick={() => setShowMore((s) => !s)}>
              {showMore ? 'Fewer filters' : 'More filters'}
            </Button>
            {active > 0 && (
              <Button variant="ghost" icon={<X className="h-3.5 w-3.5" aria-hidden />} onClick={() => {
                  change(EMPTY_FILTERS);
                  // The button goes away with the filters: focus stays with them.
                  filterForm.current?.querySelector('select')?.focus();
                }}
              >
                Clear all ({active})
              </Button>
            )}
            <div className="ml-auto">
              <Button variant="ghost" size="sm" icon={<RotateCw className={clsx('h-3.5 w-3.5', query.isFetching && 'animate-spin')} aria-hidden />} onClick={() => void query.refetch()}>
                Refresh
              </Button>
            </div>
          </div>
          {showMore && (
            <div id="more-filters" className="grid gap-4 border-t border-gray-100 p-4 dark:border-gray-800 md:grid-cols-2 xl:grid-cols-4">
              <Field label="From" hint="Event timestamp, your local time">
                {(p) => <Input {...p} type="datetime-local" value={draft.from ?? ''} onChange={(e) => setDraft({ ...draft, from: e.target.value || null })} />}
              </Field>
              <Field label="To">{(p) => <Input {...p} type="datetime-local" value={draft.to ?? ''} onChange={(e) => setDraft({ ...draft, to: e.target.value || null })} />}</Field>
              <Field label="Session ID">{(p) => <Input {...p} value={draft.session ?? ''} onChange={(e) => setDraft({ ...draft, session: e.target.value })} placeholder="session_…" className="font-mono text-[13px]" />}</Field>
              <Field label="User ID">{(p) => <Input {...p} value={draft.user ?? ''} onChange={(e) => setDraft({ ...draft, user: e.target.value })} placeholder="user_…" className="font-mono text-[13px]" />}</Field>
              <div className="md:col-span-2 xl:col-span-4">
                <p className="mb-1.5 text-[13px] font-medium text-gray-700 dark:text-gray-300">Properties</p>
                <PropertyRows rows={draft.props} onChange={(props) => setDraft({ ...draft, props })} />
                <p className="mt-1.5 text-xs text-gray-500 dark:text-gray-400">Numbers, true/false and JSON match as JSON; anything else as text. Quote a value ("42") to match it as text.</p>
              </div>
              <div className="flex justify-end gap-2 md:col-span-2 xl:col-span-4">
                <Button onClick={() => setDraft(filters)}>Reset</Button>
                <Button type="submit" variant="primary">
                  Apply filters
                </Button>
              </div>
            </div>
          )}
        </form>
      </Card>

      <Card className="overflow-hidden">
        {query.isError ? (
          <ErrorState error={query.error} onRetry={() => void query.refetch()} />
        ) : query.isPending ? (
          <div className="space-y-3 p-4">
            {Array.from({ length: 8 }, (_, i) => (
              <Skeleton key={i} className="h-9" />
            ))}
          </div>
        ) : events.length === 0 ? (
          <EmptyState icon={<SearchX className="h-5 w-5" aria-hidden />} title={active ? 'No events match these filters' : 'No events yet'} action={active ? <Button onClick={() => change(EMPTY_FILTERS)}>Clear filters</Button> : undefined}>
            {active ? 'Widen the time range or remove a filter.' : 'Once your snippet sends events, they show up here.'}
          </EmptyState>
        ) : (
          <>
            {placesProblem && (
              <p className="flex items-start gap-2 border-b border-amber-200 bg-amber-50 px-4 py-2 text-[13px] text-amber-900 dark:border-amber-500/30 dark:bg-amber-500/10 dark:text-amber-200" data-testid="geo-notice">
                <MapPinOff className="mt-0.5 h-3.5 w-3.5 shrink-0" aria-hidden />
                <span className="min-w-0 break-words">{placesNotRecorded(placesProblem)}</span>
              </p>
            )}
            <div className="relative overflow-x-auto">
              <table className="w-full table-fixed text-left text-sm md:table-auto" data-testid="events-table">
                <thead className="border-b border-gray-200 bg-gray-50/80 text-xs font-medium uppercase tracking-wide text-gray-500 dark:border-gray-800 dark:bg-gray-900/60 dark:text-gray-400">
                  <tr>
                    <th scope="col" className="w-[9.5rem] px-4 py-2.5 md:w-auto">Time</th>
                    <th scope="col" className="w-[9rem] px-4 py-2.5 md:w-auto">Event type</th>
                    <th scope="col" className="hidden px-4 py-2.5 sm:table-cell">Page</th>
                    <th scope="col" className="hidden px-4 py-2.5 lg:table-cell">Visitor</th>
                    <th scope="col" className="hidden px-4 py-2.5 xl:table-cell">Adaptor</th>
                    <th scope="col" className="hidden px-4 py-2.5 2xl:table-cell">Session</th>
                    <th scope="col" className="hidden px-4 py-2.5 md:table-cell">Properties</th>
                    <th scope="col" className="w-8 px-2 py-2.5">
                      <span className="sr-only">Open</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-gray-100 dark:divide-gray-800">
                  {events.map((e) => (
                    <tr
                      key={e.eventId}
                      className={clsx('group cursor-pointer hover:bg-gray-50 dark:hover:bg-gray-800/40', live.arrivedLive(e.eventId) && 'animate-flash')}
                      onClick={() => setSelected(e)}
                      data-testid="event-row"
                      data-live={live.arrivedLive(e.eventId) || undefined}
                    >
                      <td className="whitespace-nowrap px-4 py-2.5">
                        <button
                          type="button"
                          onClick={(ev) => {
                            ev.stopPropagation();
                            setSelected(e);
                          }}
                          className={clsx('rounded text-left', focusRing)}
                        >
                          <span className="sr-only">Open event {e.eventType} at </span>
                          <span className="hidden text-gray-900 tabular dark:text-gray-100 sm:block">{formatDateTime(e.timestamp)}</span>
                          <span className="block text-gray-900 tabular dark:text-gray-100 sm:hidden">{formatShortDateTime(e.timestamp)}</span>
                          <span className="block text-xs text-gray-500 dark:text-gray-400">{formatRelative(e.receivedAt)}</span>
                        </button>
                      </td>
                      <td className="px-4 py-2.5">
                        <Badge tone={e.eventType === 'page_view' ? 'sky' : e.eventType.includes('click') ? 'green' : 'brand'} className="max-w-full truncate">
                          {e.eventType}
                        </Badge>
                        <span className="mt-0.5 block text-xs text-gray-500 dark:text-gray-400">{e.schemaId}</span>
                        {pageOf(e) && (
                          <span className="mt-0.5 block truncate text-xs text-gray-700 dark:text-gray-300 sm:hidden" title={pageOf(e) ?? undefined} data-testid="event-page-phone">
                            {e.path ?? e.hostname}
                          </span>
                        )}
                      </td>
                      <td className="hidden max-w-[16rem] px-4 py-2.5 sm:table-cell">
                        <PageCell event={e} />
                      </td>
                      <td className="hidden max-w-[14rem] px-4 py-2.5 lg:table-cell">
                        <VisitorCell event={e} />
                      </td>
                      <td className="hidden max-w-[10rem] truncate px-4 py-2.5 text-gray-700 dark:text-gray-300 xl:table-cell">{e.containerId ? adaptorName(e.containerId) : '—'}</td>
                      <td className="hidden max-w-[10rem] truncate px-4 py-2.5 2xl:table-cell">
                        <Mono className="text-gray-600 dark:text-gray-400">{e.sessionId ?? '—'}</Mono>
                      </td>
                      <td className="hidden max-w-[22rem] truncate px-4 py-2.5 text-gray-600 dark:text-gray-400 md:table-cell" title={preview(e.properties)}>
                        <Mono>{preview(e.properties) || '—'}</Mono>
                      </td>
                      <td className="px-2 py-2.5 text-gray-300 group-hover:text-gray-500 dark:text-gray-600">
                        <ChevronRight className="h-4 w-4" aria-hidden />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="flex flex-wrap items-center justify-between gap-3 border-t border-gray-100 px-4 py-3 text-[13px] text-gray-500 dark:border-gray-800 dark:text-gray-400">
              <span data-testid="events-count">
                Showing {formatNumber(events.length)} {events.length === 1 ? 'event' : 'events'}
                {query.hasNextPage ? ' · more available' : ' · all loaded'}
              </span>
              {showsPlaces && <GeoAttribution />}
              {query.hasNextPage && (
                <Button size="sm" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
                  Load more
                </Button>
              )}
            </div>
          </>
        )}
      </Card>
      {query.isError && active > 0 && (
        <Alert tone="amber" className="mt-4">
          Check the filters: {messageOf(query.error)}
        </Alert>
      )}

      <Drawer open={!!selected} onClose={() => setSelected(null)} title={selected?.eventType ?? ''} description={selected ? <Mono>{selected.eventId}</Mono> : undefined}>
        {selected && <EventDetail event={selected} adaptorName={adaptorName} onFilter={(c) => change(c)} />}
      </Drawer>
    </>
  );
}
