/** A site's funnels and retention: steps chosen from its goals, the chart with drop-offs linking to the dashboard filtered to them, saving, and retention of identified users only. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { conversions, goals, rest, savedFunnels } from '../../test/fakeApi';

vi.mock('../../lib/http', () => import('../../test/fakeApi'));

import { toStatsFilters, parseFilters } from '../../lib/siteFilters';
import { FunnelsCard } from './Funnels';
import { RetentionCard } from './Retention';

const STEPS = ['Visit /', 'Visit /pricing', 'signup'];

function renderCard(card: React.ReactNode) {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter initialEntries={['/sites/CAP-ABC123?period=7d']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        {card}
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  goals.length = 0;
  savedFunnels.length = 0;
  goals.push(...STEPS.map((name, i) => ({ id: `g${i}`, name, display_name: name })));
  conversions.funnel = {
    steps: [
      { step: 1, goal: 'Visit /', visitors: 8, conversion_rate: 100, dropoff: 0, dropoff_rate: 0 },
      { step: 2, goal: 'Visit /pricing', visitors: 5, conversion_rate: 62.5, dropoff: 3, dropoff_rate: 37.5 },
      { step: 3, goal: 'signup', visitors: 2, conversion_rate: 25, dropoff: 3, dropoff_rate: 60 },
    ],
    query: { date_range: ['2026-11-05T00:00:00+00:00', '2026-11-09T23:59:59+00:00'], within: 'visit' },
  };
  rest.mockClear();
});

describe('funnels', () => {
  it('are built from the site goals, charted with their drop-offs, and saved', async () => {
    const user = userEvent.setup();
    renderCard(<FunnelsCard siteId="CAP-ABC123" dateRange="7d" isAdmin />);
    const builder = await screen.findByRole('form', { name: 'Funnel builder' });
    expect(screen.getByText('Choose at least 2 steps.')).toBeInTheDocument();

    await user.selectOptions(within(builder).getByLabelText('Step 1'), 'Visit /');
    await user.selectOptions(within(builder).getByLabelText('Step 2'), 'Visit /pricing');
    await user.click(within(builder).getByRole('button', { name: 'Add step' }));
    await user.selectOptions(within(builder).getByLabelText('Step 3'), 'signup');
    await user.selectOptions(within(builder).getByLabelText('Window'), '7d');

    const chart = await screen.findByTestId('funnel-chart');
    expect(rest).toHaveBeenLastCalledWith('POST', '/api/v2/funnel', { site_id: 'CAP-ABC123', date_range: '7d', steps: STEPS, within: '7d' });
    expect(within(chart).getAllByTestId('funnel-visitors').map((e) => e.textContent)).toEqual(['8', '5', '2']);
    expect(within(chart).getAllByTestId('funnel-conversion').map((e) => e.textContent)).toEqual(['100%', '62.5%', '25%']);
    const dropoffs = within(chart).getAllByTestId('funnel-dropoff');
    expect(dropoffs.map((e) => e.textContent)).toEqual(['3 dropped off (37.5%)', '3 dropped off (60%)']);
    const href = new URL(dropoffs[0].getAttribute('href')!, 'http://x');
    expect(href.pathname).toBe('/sites/CAP-ABC123');
    expect(href.searchParams.get('period')).toBe('7d');
    expect(toStatsFilters(parseFilters(href.searchParams))).toEqual([
      ['has_done', ['is', 'event:goal', ['Visit /']]],
      ['has_not_done', ['is', 'event:goal', ['Visit /pricing']]],
    ]);

    await user.type(within(builder).getByLabelText('Funnel name'), 'Signups');
    await user.click(within(builder).getByRole('button', { name: 'Save funnel' }));
    expect(rest).toHaveBeenCalledWith('POST', '/api/funnels/', { site_id: 'CAP-ABC123', name: 'Signups', steps: STEPS, within: '7d' });
    const saved = await screen.findByRole('list', { name: 'Saved funnels' });
    expect(within(saved).getByRole('button', { name: 'Signups' })).toBeInTheDocument();

    await user.click(within(saved).getByRole('button', { name: 'Delete Signups' }));
    expect(rest).toHaveBeenCalledWith('DELETE', '/api/funnels/funnel1');
    await waitFor(() => expect(screen.getByText('No saved funnels yet.')).toBeInTheDocument());
  });

  it('counts the visits the page filters keep, and breaks the funnel down by a visit dimension', async () => {
    const user = userEvent.setup();
    const filters = parseFilters(new URLSearchParams('f=is,visit:source,Google&f=is_not,visit:device,Mobile'));
    renderCard(<FunnelsCard siteId="CAP-ABC123" dateRange="7d" filters={filters} isAdmin={false} />);
    const builder = await screen.findByRole('form', { name: 'Funnel builder' });
    await user.selectOptions(within(builder).getByLabelText('Step 1'), 'Visit /');
    await user.selectOptions(within(builder).getByLabelText('Step 2'), 'Visit /pricing');

    await screen.findByTestId('funnel-chart');
    const pageFilters = [
      ['is', 'visit:source', ['Google']],
      ['is_not', 'visit:device', ['Mobile']],
    ];
    expect(rest).toHaveBeenLastCalledWith('POST', '/api/v2/funnel', { site_id: 'CAP-ABC123', date_range: '7d', steps: STEPS.slice(0, 2), within: 'visit', filters: pageFilters });
    expect(screen.getByTestId('funnel-filters')).toHaveTextContent('Filtered like the rest of the page: Source is Google; Device is not Mobile.');
    expect(screen.queryByTestId('funnel-breakdown')).not.toBeInTheDocument();

    const overall = [
      { step: 1, goal: 'Visit /', visitors: 8, conversion_rate: 100, dropoff: 0, dropoff_rate: 0 },
      { step: 2, goal: 'Visit /pricing', visitors: 5, conversion_rate: 62.5, dropoff: 3, dropoff_rate: 37.5 },
    ];
    conversions.funnel = {
      steps: overall,
      query: {},
      breakdown: [
        { value: 'Desktop', steps: [{ step: 1, goal: 'Visit /', visitors: 5, conversion_rate: 100, dropoff: 0, dropoff_rate: 0 }, { step: 2, goal: 'Visit /pricing', visitors: 4, conversion_rate: 80, dropoff: 1, dropoff_rate: 20 }] },
        { value: '', steps: [{ step: 1, goal: 'Visit /', visitors: 3, conversion_rate: 100, dropoff: 0, dropoff_rate: 0 }, { step: 2, goal: 'Visit /pricing', visitors: 1, conversion_rate: 33.33, dropoff: 2, dropoff_rate: 66.67 }] },
      ],
    };
    await user.selectOptions(within(builder).getByLabelText('Break down by'), 'Device');
    const table = await screen.findByTestId('funnel-breakdown');
    expect(rest).toHaveBeenLastCalledWith('POST', '/api/v2/funnel', expect.objectContaining({ filters: pageFilters, breakdown: 'visit:device' }));
    expect(screen.getByRole('region', { name: 'Funnel by device' })).toHaveAttribute('tabindex', '0');
    expect(within(table).getAllByRole('row').map((r) => [...r.children].map((c) => c.textContent))).toEqual([
      ['Device', '1. Visit /', '2. Visit /pricing'],
      ['Desktop', '5 (100%)', '4 (80%)'],
      ['(none)', '3 (100%)', '1 (33.33%)'],
    ]);
    const desktop = new URL(within(table).getByRole('link', { name: 'Desktop' }).getAttribute('href')!, 'http://x');
    expect(desktop.searchParams.get('period')).toBe('7d');
    expect(desktop.searchParams.getAll('f')).toEqual(['is,visit:device,Desktop']);

    await user.selectOptions(within(builder).getByLabelText('Break down by'), 'No breakdown');
    await waitFor(() => expect(screen.queryByTestId('funnel-breakdown')).not.toBeInTheDocument());
    expect(rest.mock.lastCall?.[2]).not.toHaveProperty('breakdown');
  });

  it('saves a funnel with its breakdown, and opening it asks for that breakdown again', async () => {
    const user = userEvent.setup();
    renderCard(<FunnelsCard siteId="CAP-ABC123" dateRange="7d" isAdmin />);
    const builder = await screen.findByRole('form', { name: 'Funnel builder' });
    await user.selectOptions(within(builder).getByLabelText('Step 1'), 'Visit /');
    await user.selectOptions(within(builder).getByLabelText('Step 2'), 'signup');
    await user.selectOptions(within(builder).getByLabelText('Break down by'), 'Device');
    await user.type(within(builder).getByLabelText('Funnel name'), 'By device');
    await user.click(within(builder).getByRole('button', { name: 'Save funnel' }));
    expect(rest).toHaveBeenCalledWith('POST', '/api/funnels/', { site_id: 'CAP-ABC123', name: 'By device', steps: ['Visit /', 'signup'], within: 'visit', breakdown: 'visit:device' });
    const saved = await screen.findByRole('list', { name: 'Saved funnels' });

    await user.selectOptions(within(builder).getByLabelText('Break down by'), 'No breakdown');
    await user.selectOptions(within(builder).getByLabelText('Step 2'), 'Visit /pricing');
    await waitFor(() => expect(rest).toHaveBeenLastCalledWith('POST', '/api/v2/funnel', expect.objectContaining({ steps: ['Visit /', 'Visit /pricing'] })));
    expect(rest.mock.lastCall?.[2]).not.toHaveProperty('breakdown');
    rest.mockClear();
    await user.click(within(saved).getByRole('button', { name: 'By device' }));

    expect(within(builder).getByLabelText('Break down by')).toHaveValue('visit:device');
    expect(within(builder).getByLabelText('Step 2')).toHaveValue('signup');
    await waitFor(() => expect(rest).toHaveBeenCalledWith('POST', '/api/v2/funnel', expect.objectContaining({ steps: ['Visit /', 'signup'], breakdown: 'visit:device' })));
  });

  it('refuses the same goal twice, and asks for goals when the site has fewer than two', async () => {
    const user = userEvent.setup();
    renderCard(<FunnelsCard siteId="CAP-ABC123" dateRange="7d" isAdmin={false} />);
    const builder = await screen.findByRole('form', { name: 'Funnel builder' });
    await user.selectOptions(within(builder).getByLabelText('Step 1'), 'signup');
    await user.selectOptions(within(builder).getByLabelText('Step 2'), 'signup');

    expect(screen.getByText('Each step must be a different goal.')).toBeInTheDocument();
    expect(within(builder).queryByLabelText('Funnel name')).not.toBeInTheDocument();
    expect(rest).not.toHaveBeenCalledWith('POST', '/api/v2/funnel', expect.anything());
  });

  it('says a funnel needs goals', async () => {
    goals.length = 1;
    renderCard(<FunnelsCard siteId="CAP-ABC123" dateRange="7d" isAdmin />);

    expect(await screen.findByText('A funnel needs goals')).toBeInTheDocument();
  });
});

describe('retention', () => {
  it('shows the cohort grid and says only identified users are counted', async () => {
    conversions.retention = {
      identified_users_only: true,
      notice: '',
      period: 'week',
      cohorts: [
        { cohort: '2026-11-02', users: 3, retention: [{ period: 0, users: 3, percentage: 100 }, { period: 1, users: 2, percentage: 66.7 }] },
        { cohort: '2026-11-09', users: 1, retention: [{ period: 0, users: 1, percentage: 100 }] },
      ],
    };
    const user = userEvent.setup();
    renderCard(<RetentionCard siteId="CAP-ABC123" dateRange="7d" />);

    const grid = await screen.findByTestId('retention-grid');
    expect(screen.getByText('Identified users only')).toBeInTheDocument();
    expect(within(grid).getAllByRole('row').map((r) => r.textContent)).toEqual(['CohortUsersWeek 0Week 1', '2026-11-023100%66.7%', '2026-11-091100%']);

    await user.click(screen.getByRole('radio', { name: 'Days' }));
    await user.selectOptions(screen.getByLabelText('A cohort starts at'), 'signup');
    expect(rest).toHaveBeenLastCalledWith('POST', '/api/v2/retention', { site_id: 'CAP-ABC123', date_range: '7d', period: 'day', start: 'signup' });
  });
});
