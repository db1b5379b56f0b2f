/**
 * The site dashboard's server state: Stats API answers (through the reader in the context),
 * pages of a breakdown, every row of one for export, and the current visitors, pushed or
 * asked for every ten seconds.
 */
import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { gql } from './http';
import { useSubscription } from './live';
import { CurrentVisitorsSubscription, SiteEventsSubscription, SiteQuery } from './queries';
import { queryKeys } from './queryKeys';
import type { StatsQuery, StatsRow } from './statsApi';
import { useStatsClient, type StatsClient } from './statsClient';

export const CURRENT_VISITORS_POLL_MS = 10_000;

/** A signed-in user's view of a site (its name and time zone); null when there is no such site. */
export function useSite(containerId: string) {
  return useQuery({ queryKey: queryKeys.site.info(containerId), queryFn: async () => (await gql(SiteQuery, { containerId })).adaptor });
}

const sameDimensions = (a: StatsQuery, b: StatsQuery) => JSON.stringify(a.dimensions ?? []) === JSON.stringify(b.dimensions ?? []);

/**
 * One Stats API answer. The previous answer stays on screen while the next one loads, if it
 * is by the same dimensions: another tab's rows must not show (and filter) under this one's.
 */
export function useStats(query: StatsQuery, refetchInterval: number | false = false) {
  const client = useStatsClient();
  return useQuery({
    queryKey: queryKeys.site.query(client.key, query),
    queryFn: () => client.query(query),
    placeholderData: (previous, previousQuery) => {
      const asked = previousQuery?.queryKey[3];
      return asked && sameDimensions(asked, query) ? previous : undefined;
    },
    refetchInterval,
  });
}

/** A breakdown page by page (`query` without its pagination), for the details list. */
export function useStatsPages(query: StatsQuery, pageSize: number, enabled = true) {
  const client = useStatsClient();
  return useInfiniteQuery({
    queryKey: queryKeys.site.rows(client.key, query),
    queryFn: ({ pageParam }) => client.query({ ...query, include: { ...query.include, total_rows: true }, pagination: { limit: pageSize, offset: pageParam } }),
    initialPageParam: 0,
    getNextPageParam: (last, pages) => {
      const loaded = pages.reduce((sum, page) => sum + page.results.length, 0);
      return last.results.length === pageSize && loaded < (last.meta.total_rows ?? Infinity) ? loaded : undefined;
    },
    enabled,
  });
}

/** Every row of `query` up to `max`, asked `pageSize` at a time. */
export async function fetchAllRows(client: StatsClient, query: StatsQuery, max = 10_000, pageSize = 1_000): Promise<StatsRow[]> {
  const rows: StatsRow[] = [];
  while (rows.length < max) {
    const limit = Math.min(pageSize, max - rows.length);
    const answer = await client.query({ ...query, pagination: { limit, offset: rows.length } });
    rows.push(...answer.results);
    if (answer.results.length < limit) break;
  }
  return rows;
}

/**
 * The site's current visitors: pushed by the subscription for a signed-in reader, else (a
 * shared link, or while the subscription fails) asked every ten seconds.
 */
export function useCurrentVisitors(siteId: string): { count: number | undefined; error: string | null } {
  const client = useStatsClient();
  const [pushed, setPushed] = useState<{ siteId: string; count: number } | null>(null);
  const live = useSubscription(CurrentVisitorsSubscription, { siteId }, (data) => setPushed({ siteId, count: data.currentVisitors }), client.canSubscribe);
  const poll = !client.canSubscribe || live.error !== null;
  const polled = useQuery({
    queryKey: queryKeys.site.current(client.key, siteId),
    queryFn: () => client.currentVisitors(siteId),
    refetchInterval: CURRENT_VISITORS_POLL_MS,
    enabled: poll,
  });
  if (!poll) return { count: pushed?.siteId === siteId ? pushed.count : undefined, error: null };
  return { count: polled.data, error: polled.error ? polled.error.message : null };
}

/** How many of the site's events were pushed since the page opened (signed-in readers only). */
export function useSiteArrivals(siteId: string, enabled: boolean): number {
  const client = useStatsClient();
  const [arrivals, setArrivals] = useState(0);
  useSubscription(SiteEventsSubscription, { filter: { adaptorId: siteId } }, () => setArrivals((n) => n + 1), enabled && client.canSubscribe);
  return arrivals;
}

/**
 * Asks the site's stats again a moment after `signal` changes (events arrived, or the
 * current visitors changed), at most once per `delayMs`.
 */
export function useRefreshOnChange(signal: number | undefined, enabled: boolean, delayMs = 2_000): void {
  const client = useStatsClient();
  const queryClient = useQueryClient();
  const last = useRef(signal);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    const changed = last.current !== undefined && signal !== undefined && signal !== last.current;
    last.current = signal;
    if (!enabled || !changed || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      void queryClient.invalidateQueries({ queryKey: queryKeys.site.stats(client.key) });
    }, delayMs);
  }, [signal, enabled, delayMs, client.key, queryClient]);
  useEffect(
    () => () => {
      if (pending.current) clearTimeout(pending.current);
      pending.current = null;
    },
    [],
  );
}
