/** A rejected event's fix is offered where its reason is put right: schemas or adaptors. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { rejectedEvents } from '../test/fakeApi';

vi.mock('../lib/session', () => ({ useIsAdmin: () => false }));
vi.mock('../lib/live', () => ({ useSubscription: () => ({ error: null }), useLiveState: () => 'live' }));
vi.mock('../lib/http', () => import('../test/fakeApi'));

import PipelinePage from './Pipeline';

let made = 0;
function rejected(code: string, reprocessed = false) {
  made += 1;
  rejectedEvents.push({
    eventId: `00000000-0000-4000-9000-${String(made).padStart(12, '0')}`,
    schemaId: 'shop',
    containerId: 'CAP-NOPE00',
    eventType: 'page_view',
    receivedAt: '2025-01-01T00:00:00Z',
    reasons: [{ code, message: `because ${code}` }],
    payload: {},
    reprocessed,
  });
}

async function renderPipeline() {
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
  await screen.findAllByTestId('rejected-row');
}

const fixes = () =>
  within(screen.getByTestId('rejected-fixes'))
    .queryAllByRole('link')
    .map((link) => [link.textContent, link.getAttribute('href')]);

describe('fixes for rejected events', () => {
  beforeEach(() => {
    rejectedEvents.length = 0;
  });

  it.each(['unknown_adaptor', 'origin_not_allowed', 'disabled_adaptor'])('%s: Edit adaptors, not Edit schemas', async (code) => {
    rejected(code);
    await renderPipeline();
    expect(fixes()).toEqual([['Edit adaptors', '/adaptors']]);
  });

  it.each(['unknown_event_type', 'invalid_properties'])('%s: Edit schemas', async (code) => {
    rejected(code);
    await renderPipeline();
    expect(fixes()).toEqual([['Edit schemas', '/schemas']]);
  });

  it('both when both kinds wait, and only for the events still waiting', async () => {
    rejected('unknown_event_type');
    rejected('origin_not_allowed');
    rejected('unknown_adaptor', true);
    await renderPipeline();
    expect(screen.getByTestId('rejected-fixes')).toHaveTextContent('2 shown are waiting for a fix.');
    expect(fixes()).toEqual([
      ['Edit schemas', '/schemas'],
      ['Edit adaptors', '/adaptors'],
    ]);
  });

  it("an event's own details link to its fix", async () => {
    rejected('origin_not_allowed');
    await renderPipeline();
    await userEvent.setup().click(within(screen.getByTestId('rejected-row')).getByRole('button'));
    const row = screen.getByTestId('rejected-row');
    expect(within(row).getByRole('link', { name: 'Edit adaptors' })).toHaveAttribute('href', '/adaptors');
    expect(within(row).queryByRole('link', { name: 'Edit schemas' })).not.toBeInTheDocument();
  });

  it('offers the new origin_not_allowed reason in the reason filter', async () => {
    rejected('origin_not_allowed');
    await renderPipeline();
    expect(screen.getByRole('option', { name: 'Origin not allowed' })).toHaveValue('origin_not_allowed');
  });
});
