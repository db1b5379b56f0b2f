/** The events explorer is live: matching events pushed by the server appear at the top. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { NewEventsSubscription } from '../gql/graphql';
import { makeEvent, storedEvents } from '../test/fakeApi';

const live = vi.hoisted((): { push: ((data: NewEventsSubscription) => void) | null; variables: unknown } => ({ push: null, variables: null }));
vi.mock('../lib/live', () => ({
  useSubscription: (document: { toString(): string }, variables: unknown, onData: (data: NewEventsSubscription) => void) => {
    if (document.toString().includes('subscription NewEvents')) {
      live.push = onData;
      live.variables = variables;
    }
    return { error: null };
  },
  useLiveState: () => 'live',
}));
vi.mock('../lib/http', () => import('../test/fakeApi'));

import EventsPage from './Events';

function renderEvents(path = '/events') {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path="/events" element={<EventsPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const rowPaths = () => screen.getAllByTestId('event-row').map((row) => within(row).getByText(/page_path/).textContent);

function push(event: ReturnType<typeof makeEvent>) {
  act(() => live.push?.({ newEvents: event }));
}

describe('the live events explorer', () => {
  beforeEach(() => {
    storedEvents.length = 0;
    live.push = null;
  });

  it('puts a pushed event at the top, once, without fetching again', async () => {
    storedEvents.push(makeEvent({ properties: { page_path: '/older' } }));
    renderEvents('/events?type=page_view');
    await screen.findByText('page_path: /older');
    expect(live.variables).toMatchObject({ filter: { eventType: 'page_view' } });

    const fresh = makeEvent({ properties: { page_path: '/fresh' } });
    push(fresh);
    await screen.findByText('page_path: /fresh');
    expect(rowPaths()).toEqual(['page_path: /fresh', 'page_path: /older']);
    expect(screen.getAllByTestId('event-row')[0]).toHaveAttribute('data-live', 'true');

    push(fresh);
    expect(screen.getAllByTestId('event-row')).toHaveLength(2);
    expect(screen.getByTestId('events-count')).toHaveTextContent('Showing 2 events');
  });

  it('keeps paging where it was: Load more continues after the rows it had loaded', async () => {
    for (let i = 0; i < 60; i++) storedEvents.unshift(makeEvent());
    renderEvents();
    await waitFor(() => expect(screen.getAllByTestId('event-row')).toHaveLength(50));

    push(makeEvent({ properties: { page_path: '/fresh' } }));
    await screen.findByText('page_path: /fresh');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(screen.getAllByTestId('event-row')).toHaveLength(61));
    expect(new Set(rowPaths()).size).toBe(61);
    expect(screen.getByTestId('events-count')).toHaveTextContent('all loaded');
  });
});
