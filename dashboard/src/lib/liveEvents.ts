/**
 * The events explorer, live: events that match its filters are pushed over the `newEvents`
 * subscription and put at the top of the list as they arrive.
 */
import { useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { EventFilterInput, EventsQuery } from '../gql/graphql';
import { useLiveState, useSubscription } from './live';
import { NewEventsSubscription } from './queries';
import { eventsOptions, EVENTS_PAGE } from './queryHooks';
import { queryKeys } from './queryKeys';

export type EventItem = EventsQuery['events']['items'][number];
type EventPages = InfiniteData<EventsQuery>;

/** The most rows the list grows to with pushed events before it starts again from one page. */
export const LIVE_EVENTS_MAX = 10 * EVENTS_PAGE;

export function countEvents(data: EventPages): number {
  return data.pages.reduce((n, page) => n + page.events.items.length, 0);
}

/**
 * The pages with `event` first on the first page. Only the first page changes: every page's
 * cursor still points where it did, so "Load more" goes on exactly where it would have. The
 * same pages when the event is already listed (a refetch can race a push).
 */
export function withNewEvent(data: EventPages, event: EventItem): EventPages {
  if (data.pages.some((page) => page.events.items.some((item) => item.eventId === event.eventId))) return data;
  const [first, ...rest] = data.pages;
  return { ...data, pages: [{ events: { ...first.events, items: [event, ...first.events.items] } }, ...rest] };
}

/**
 * Keeps the explorer's cached list up to date while the page is open. Past LIVE_EVENTS_MAX
 * rows, the list is cut to its first page and that page fetched again, which brings it back to
 * one page of the newest events with a fresh cursor. After a dropped connection, the list is
 * fetched again: what arrived while offline was not pushed.
 *
 * Returns the subscription's error and whether an event arrived live (to highlight it).
 */
export function useLiveEvents(filter: EventFilterInput): { error: string | null; arrivedLive: (eventId: string) => boolean } {
  const queryClient = useQueryClient();
  const { queryKey } = eventsOptions(filter);
  const [arrived, setArrived] = useState<ReadonlySet<string>>(() => new Set());

  const live = useSubscription(NewEventsSubscription, { filter }, ({ newEvents: event }) => {
    const data = queryClient.getQueryData(queryKey);
    // Nothing listed yet: the first page is on its way and reads the newest events itself.
    if (!data) return;
    const next = withNewEvent(data, event);
    if (next === data) return;
    if (countEvents(next) > LIVE_EVENTS_MAX) {
      queryClient.setQueryData(queryKey, { pages: next.pages.slice(0, 1), pageParams: next.pageParams.slice(0, 1) });
      void queryClient.refetchQueries({ queryKey, exact: true });
    } else {
      queryClient.setQueryData(queryKey, next);
    }
    setArrived((ids) => new Set(ids.size < LIVE_EVENTS_MAX ? ids : []).add(event.eventId));
  });

  const state = useLiveState();
  const wasOffline = useRef(false);
  useEffect(() => {
    if (state === 'offline') wasOffline.current = true;
    else if (state === 'live' && wasOffline.current) {
      wasOffline.current = false;
      void queryClient.invalidateQueries({ queryKey: queryKeys.events.all });
    }
  }, [state, queryClient]);

  return { error: live.error, arrivedLive: (eventId) => arrived.has(eventId) };
}
