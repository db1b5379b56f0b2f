import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewEventsSubscription } from '../gql/graphql';
import { makeEvent, storedEvents } from '../test/fakeApi';

const live = vi.hoisted(() => ({ push: null as ((data: NewEventsSubscription) => void) | null, state: 'live' }));
vi.mock('./live', () => ({
  useSubscription: (_document: unknown, _variables: unknown, onData: (data: NewEventsSubscription) => void) => {
    live.push = onData;
    return { error: null };
  },
  useLiveState: () => live.state,
}));
vi.mock('./http', () => import('../test/fakeApi'));

import { countEvents, LIVE_EVENTS_MAX, useLiveEvents, withNewEvent } from './liveEvents';
import { EVENTS_PAGE, eventsOptions, useEvents } from './queryHooks';

const page = (items: ReturnType<typeof makeEvent>[], nextCursor: string | null) => ({ events: { items, nextCursor } });

describe('withNewEvent', () => {
  it('puts the event first on the first page and leaves the other pages and cursors alone', () => {
    const [a, b, c] = [makeEvent(), makeEvent(), makeEvent()];
    const data = { pages: [page([b], 'c1'), page([a], null)], pageParams: [null, 'c1'] };
    const next = withNewEvent(data, c);
    expect(next.pages[0]).toEqual(page([c, b], 'c1'));
    expect(next.pages[1]).toBe(data.pages[1]);
    expect(next.pageParams).toEqual([null, 'c1']);
    expect(countEvents(next)).toBe(3);
  });

  it('returns the same pages for an event already listed, on any page', () => {
    const [a, b] = [makeEvent(), makeEvent()];
    const data = { pages: [page([b], 'c1'), page([a], null)], pageParams: [null, 'c1'] };
    expect(withNewEvent(data, a)).toBe(data);
  });
});

describe('useLiveEvents', () => {
  beforeEach(() => {
    storedEvents.length = 0;
    live.state = 'live';
  });

  function setup() {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={client}>{children}</QueryClientProvider>;
    const hook = renderHook(
      () => {
        const list = useEvents({});
        const liveList = useLiveEvents({});
        return { list, liveList };
      },
      { wrapper },
    );
    return { client, hook };
  }

  it(`starts again from one page of the newest events past ${LIVE_EVENTS_MAX} rows`, async () => {
    for (let i = 0; i < LIVE_EVENTS_MAX; i++) storedEvents.unshift(makeEvent());
    const { client, hook } = setup();
    await waitFor(() => expect(hook.result.current.list.data?.pages).toHaveLength(1));
    while (hook.result.current.list.hasNextPage) await act(() => hook.result.current.list.fetchNextPage());
    expect(countEvents(hook.result.current.list.data!)).toBe(LIVE_EVENTS_MAX);

    const fresh = makeEvent();
    storedEvents.unshift(fresh);
    act(() => live.push?.({ newEvents: fresh }));
    await waitFor(() => expect(countEvents(hook.result.current.list.data!)).toBe(EVENTS_PAGE));
    const data = client.getQueryData(eventsOptions({}).queryKey)!;
    expect(data.pages).toHaveLength(1);
    expect(data.pages[0].events.items[0].eventId).toBe(fresh.eventId);
    expect(data.pages[0].events.nextCursor).toBe(String(EVENTS_PAGE));
    expect(hook.result.current.liveList.arrivedLive(fresh.eventId)).toBe(true);
  });

  it('fetches the list again after the connection comes back, for what was missed', async () => {
    storedEvents.push(makeEvent());
    const { hook } = setup();
    await waitFor(() => expect(countEvents(hook.result.current.list.data!)).toBe(1));
    live.state = 'offline';
    hook.rerender();
    storedEvents.unshift(makeEvent());
    live.state = 'live';
    hook.rerender();
    await waitFor(() => expect(countEvents(hook.result.current.list.data!)).toBe(2));
  });
});
