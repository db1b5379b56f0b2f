/** Goals on a site's dashboard: the card's conversions and revenue, a goal's row filtering the page, and an admin managing the goals. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { gql, goals, rest } from '../../test/fakeApi';
import { fakeVisits, resetFakeStats, visit } from '../../test/fakeStats';

const role = vi.hoisted(() => ({ admin: true }));

vi.mock('../../lib/session', () => ({ useIsAdmin: () => role.admin, useSession: () => null }));
vi.mock('../../lib/live', () => ({ useSubscription: () => ({ error: null }), useLiveState: () => 'live' }));
vi.mock('../../lib/http', () => import('../../test/fakeApi'));

import SitePage from '../../pages/Site';

function Probe() {
  return <output data-testid="search">{decodeURIComponent(useLocation().search)}</output>;
}

function renderSite() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={['/sites/CAP-ABC123?period=7d']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path="/sites/:containerId" element={<SitePage />} />
        </Routes>
        <Probe />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  gql.mockRestore();
  rest.mockClear();
  goals.length = 0;
  role.admin = true;
  resetFakeStats();
  fakeVisits.push(
    visit('a', '2026-12-01', { 'event:goal': 'Purchase' }),
    visit('b', '2026-12-01', { 'event:goal': 'Purchase' }),
    visit('c', '2026-12-02', { 'event:goal': 'Signup' }),
    visit('d', '2026-12-02', {}),
  );
  fakeVisits[0].revenue = 10.1;
  fakeVisits[1].revenue = 20.2;
});

describe('the Goals card', () => {
  it('shows each goal’s unique and total conversions, conversion rate and revenue', async () => {
    renderSite();
    const card = within(await screen.findByTestId('card-goals'));
    await waitFor(() => expect(card.getAllByTestId('goal-row').map((r) => r.getAttribute('data-value'))).toEqual(['Purchase', 'Signup']));
    const [purchase, signup] = card.getAllByTestId('goal-row');
    expect(within(purchase).getByTestId('goal-uniques')).toHaveTextContent('2');
    expect(within(purchase).getByTestId('goal-total')).toHaveTextContent('2');
    expect(within(purchase).getByTestId('goal-rate')).toHaveTextContent('50%');
    expect(within(purchase).getByTestId('goal-revenue')).toHaveTextContent('€30.30');
    expect(within(signup).getByTestId('goal-rate')).toHaveTextContent('25%');
    expect(within(signup).getByTestId('goal-revenue')).toHaveTextContent('—');
  });

  it('filters the whole page by a goal, as the other cards’ rows do', async () => {
    const user = userEvent.setup();
    renderSite();
    const card = within(await screen.findByTestId('card-goals'));
    await user.click(await card.findByRole('button', { name: 'Signup' }));
    await waitFor(() => expect(screen.getByTestId('search')).toHaveTextContent('?period=7d&f=is,event:goal,Signup'));
    expect(screen.getAllByTestId('filter-chip').map((chip) => chip.textContent)).toEqual(['Goal is Signup']);
  });

  it('says so when no goal was reached', async () => {
    resetFakeStats();
    fakeVisits.push(visit('a', '2026-12-01', {}));
    renderSite();
    const card = within(await screen.findByTestId('card-goals'));
    expect(await card.findByText('No conversions')).toBeInTheDocument();
  });
});

describe('the site’s goals', () => {
  it('are added by an admin (an event with revenue, a page path with wildcards), listed and removed', async () => {
    const user = userEvent.setup();
    renderSite();
    await user.click(await screen.findByRole('button', { name: 'Goals' }));
    const dialog = within(await screen.findByRole('dialog', { name: /Goals of/ }));
    expect(await dialog.findByText('No goals yet')).toBeInTheDocument();

    await user.type(dialog.getByLabelText('Event name'), 'Purchase');
    await user.type(dialog.getByLabelText(/Revenue currency/), 'eur');
    await user.click(dialog.getByRole('button', { name: 'Add goal' }));
    expect(rest).toHaveBeenCalledWith('POST', '/api/goals/', { site_id: 'CAP-ABC123', event_name: 'Purchase', currency: 'EUR' });

    await user.click(dialog.getByRole('radio', { name: 'Page visit' }));
    await user.type(dialog.getByLabelText('Page path'), '/blog/**');
    await user.type(dialog.getByLabelText(/Display name/), 'Read the blog');
    await user.click(dialog.getByRole('button', { name: 'Add goal' }));
    expect(rest).toHaveBeenCalledWith('POST', '/api/goals/', { site_id: 'CAP-ABC123', page_path: '/blog/**', display_name: 'Read the blog' });

    await waitFor(() => expect(dialog.getAllByTestId('goal').map((g) => g.textContent)).toEqual(['PurchaseEURCustom event PurchaseRemove', 'Read the blogPage visit /blog/**Remove']));
    await user.click(dialog.getByRole('button', { name: 'Remove Purchase' }));
    await user.click(within(dialog.getAllByTestId('goal')[0]).getByRole('button', { name: 'Remove' }));
    expect(rest).toHaveBeenCalledWith('DELETE', '/api/goals/goal1');
    await waitFor(() => expect(dialog.getAllByTestId('goal')).toHaveLength(1));
  });

  it('are not offered to a viewer', async () => {
    role.admin = false;
    renderSite();
    await screen.findByTestId('card-goals');
    expect(screen.queryByRole('button', { name: 'Goals' })).not.toBeInTheDocument();
  });
});
