/** Pipeline health shows a database outage (Kafka mode: events still accepted) and the lag that grows meanwhile. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pipelineHealth } from '../test/fakeApi';

vi.mock('../lib/session', () => ({ useIsAdmin: () => false }));
vi.mock('../lib/live', () => ({ useSubscription: () => ({ error: null }), useLiveState: () => 'live' }));
vi.mock('../lib/http', () => import('../test/fakeApi'));

import PipelinePage from './Pipeline';

function renderPipeline() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/pipeline']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path="/pipeline" element={<PipelinePage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const lagCard = () => screen.getByTestId('projection-lag');
const lastApplied = new Date(Date.now() - 90_000).toISOString();

afterEach(() => {
  pipelineHealth.databaseHealth = { available: true, problem: null };
  pipelineHealth.projectionLag = [];
});

describe('a database outage', () => {
  it('is shown with its problem, and each projection with how far behind it has fallen', async () => {
    pipelineHealth.databaseHealth = { available: false, problem: 'the database is unavailable: connection refused' };
    pipelineHealth.projectionLag = [{ projection: 'events', eventsBehind: 1250, secondsBehind: 90, lastAppliedAt: lastApplied }];
    renderPipeline();
    const outage = await within(lagCard()).findByRole('status');
    expect(outage).toHaveTextContent('The database is unavailable');
    expect(outage).toHaveTextContent('Events are still accepted and kept in Kafka; the read models catch up when the database returns.');
    expect(outage).toHaveTextContent('connection refused');
    expect(within(lagCard()).getByText('events')).toBeInTheDocument();
    expect(within(lagCard()).getByText('1,250 behind')).toBeInTheDocument();
  });

  it('is not shown while the database answers', async () => {
    pipelineHealth.projectionLag = [{ projection: 'events', eventsBehind: 0, secondsBehind: 0, lastAppliedAt: lastApplied }];
    renderPipeline();
    await within(lagCard()).findByText('up to date');
    expect(within(lagCard()).queryByText('The database is unavailable')).not.toBeInTheDocument();
  });
});
