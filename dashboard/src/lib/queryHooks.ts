/**
 * One typed hook per server query, each under its key from `queryKeys`. Pages read server state
 * through these only; the options builders are exported where a page also writes to the cache
 * (live updates), so that the key and the data's type come from one place.
 */
import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { EventFilterInput, EventsQuery, LiveStatsSubscription as LiveStats, Resolution, StatsInput } from '../gql/graphql';
import type { BotCount } from './bots';
import { gql, rest } from './http';
import { useSubscription } from './live';
import {
  AdaptorsQuery,
  CatalogQuery,
  EventsQuery as EventsDocument,
  LiveStatsSubscription,
  OverviewStatsQuery,
  PipelineHealthQuery,
  PipelineQuery,
  PreviousStatsQuery,
  RejectedEventsQuery,
  ReplayStatusQuery,
  SchemasQuery,
  SchemaVersionsQuery,
  TimeSeriesQuery,
  TopQuery,
} from './queries';
import { queryKeys } from './queryKeys';

// Catalog: schemas with their event types, and adaptors, for filter pickers and names.

export function useCatalog() {
  return useQuery({ queryKey: queryKeys.catalog, queryFn: () => gql(CatalogQuery), staleTime: 30_000 });
}

export function useAdaptorNames(): (containerId: string) => string {
  const { data } = useCatalog();
  return (id: string) => {
    if (id === '(none)') return 'No adaptor';
    return data?.adaptors.find((a) => a.containerId === id)?.name ?? id;
  };
}

// Overview.

export const overviewStatsOptions = (filter: StatsInput) =>
  queryOptions({ queryKey: queryKeys.stats.current(filter), queryFn: () => gql(OverviewStatsQuery, { filter }) });

export function useOverviewStats(filter: StatsInput) {
  return useQuery(overviewStatsOptions(filter));
}

/** Stats pushed now and whenever the read models change; `error` says why pushes stopped. */
export function useLiveStats(filter: StatsInput, onStats: (stats: LiveStats['liveStats']) => void, enabled = true) {
  return useSubscription(LiveStatsSubscription, { filter }, (data) => onStats(data.liveStats), enabled);
}

export function usePreviousStats(filter: StatsInput) {
  return useQuery({ queryKey: queryKeys.stats.previous(filter), queryFn: () => gql(PreviousStatsQuery, { filter }) });
}

export function useTimeSeries(resolution: Resolution, filter: StatsInput) {
  return useQuery({
    queryKey: queryKeys.timeSeries.of(resolution, filter),
    queryFn: () => gql(TimeSeriesQuery, { resolution, filter }),
    placeholderData: (previous) => previous,
  });
}

export function useTop(filter: StatsInput, limit: number) {
  return useQuery({
    queryKey: queryKeys.top.of(filter, limit),
    queryFn: () => gql(TopQuery, { filter, limit }),
    placeholderData: (previous) => previous,
  });
}

// Events explorer.

export const EVENTS_PAGE = 50;

/** One page of events, newest first; also used by the export, which pages further. */
export function fetchEvents(filter: EventFilterInput, limit: number, cursor: string | null): Promise<EventsQuery> {
  return gql(EventsDocument, { filter, limit, cursor });
}

export const eventsOptions = (filter: EventFilterInput) =>
  infiniteQueryOptions({
    queryKey: queryKeys.events.list(filter),
    queryFn: ({ pageParam }) => fetchEvents(filter, EVENTS_PAGE, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.events.nextCursor,
  });

export function useEvents(filter: EventFilterInput) {
  return useInfiniteQuery(eventsOptions(filter));
}

// Schemas and adaptors.

export function useSchemas(includeRetired: boolean) {
  return useQuery({ queryKey: queryKeys.schemas.list(includeRetired), queryFn: () => gql(SchemasQuery, { includeRetired }) });
}

/**
 * A schema's versions, newest first. The history is a read model: right after a change it may
 * not have version `current` yet; until it does, ask again every second (at most 30 times).
 */
export function useSchemaVersions(name: string, current: number) {
  return useQuery({
    queryKey: queryKeys.schemas.versions(name),
    queryFn: () => gql(SchemaVersionsQuery, { name }),
    refetchInterval: (query) => {
      const newest = query.state.data?.schemaVersions[0]?.version ?? 0;
      return newest < current && query.state.dataUpdateCount < 30 ? 1_000 : false;
    },
  });
}

export function useAdaptors() {
  return useQuery({ queryKey: queryKeys.adaptors, queryFn: () => gql(AdaptorsQuery) });
}

// Pipeline health.

export function usePipeline() {
  return useQuery({
    queryKey: queryKeys.pipeline,
    // The last hour as of each fetch, so the rate window slides with every refresh.
    queryFn: () => gql(PipelineQuery, { rateFilter: { start: new Date(Date.now() - 60 * 60_000).toISOString() } }),
    placeholderData: (previous) => previous,
  });
}

/** The projections' lag and whether the database answers. Refreshed by push like the rest of
 * the page, and polled while the database is away (no push comes then). */
export function usePipelineHealth() {
  return useQuery({
    queryKey: queryKeys.pipelineHealth,
    queryFn: () => gql(PipelineHealthQuery),
    placeholderData: (previous) => previous,
    refetchInterval: (query) => (query.state.status === 'error' || query.state.data?.databaseHealth.available === false ? 5_000 : false),
  });
}

export function useReplayStatus() {
  return useQuery({ queryKey: queryKeys.replay, queryFn: () => gql(ReplayStatusQuery), retry: false });
}

export function useRejectedEvents(schemaId: string | null, reason: string | null) {
  return useInfiniteQuery({
    queryKey: queryKeys.rejected.list(schemaId, reason),
    queryFn: ({ pageParam }) => gql(RejectedEventsQuery, { schemaId, reason, limit: 25, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.rejectedEvents.nextCursor,
  });
}

// Collection (REST): bots kept out, and whether places are recorded.

export function useBotCounts(days: number) {
  return useQuery({
    queryKey: queryKeys.collection.bots(days),
    queryFn: () => rest<BotCount[]>('GET', `/api/collection/bots?days=${days}`),
    placeholderData: (previous) => previous,
  });
}

export interface GeoStatus {
  enabled: boolean;
  /** Why places are not recorded, when they are not. */
  problem: string | null;
  databases: string[];
  attribution: string;
}

/** Changes only when the server restarts, so it is asked again at most every 5 minutes. */
export function useCollectionStatus() {
  return useQuery({
    queryKey: queryKeys.collection.status,
    queryFn: () => rest<{ geo: GeoStatus }>('GET', '/api/collection/status'),
    staleTime: 5 * 60_000,
  });
}

// Users (REST: the GraphQL `users` field has no creation dates).

export interface UserOut {
  username: string;
  role: string;
  created_at: string;
  updated_at: string;
}

export function useUsers() {
  return useQuery({ queryKey: queryKeys.users, queryFn: () => rest<UserOut[]>('GET', '/api/users/') });
}
