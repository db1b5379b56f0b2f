/** A site's dashboard: rows filter the whole page through the URL, cards export CSV and list every row, visitors are live. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as ExportModule from '../lib/export';
import type { StatsQuery } from '../lib/statsApi';
import { goals, gql, rest } from '../test/fakeApi';
import { fakeVisits, queriesAsked, resetFakeStats, visit } from '../test/fakeStats';

const role = vi.hoisted(() => ({ admin: false }));
const pushes = vi.hoisted(() => ({
  currentVisitors: null as null | ((data: { currentVisitors: number }) => void),
  siteEvents: null as null | ((data: { newEvents: { eventId: string } }) => void),
}));
const downloads = vi.hoisted(() => [] as Array<{ name: string; content: string }>);

vi.mock('../lib/session', () => ({ useIsAdmin: () => role.admin, useSession: () => null }));
vi.mock('../lib/live', () => ({
  useSubscription: (document: { toString(): string }, _variables: unknown, onData: (data: unknown) => void, enabled: boolean) => {
    if (document.toString().includes('subscription LiveCurrentVisitors')) pushes.currentVisitors = onData;
    if (document.toString().includes('subscription SiteEvents')) pushes.siteEvents = enabled ? onData : null;
    return { error: null };
  },
  useLiveState: () => 'live',
}));
vi.mock('../lib/http', () => import('../test/fakeApi'));
vi.mock('../lib/export', async (original) => ({
  ...(await original<typeof ExportModule>()),
  download: (name: string, content: string) => downloads.push({ name, content }),
}));

import SitePage from './Site';

function Probe() {
  const location = useLocation();
  const navigate = useNavigate();
  return (
    <>
      <output data-testid="search">{decodeURIComponent(location.search)}</output>
      <button onClick={() => navigate(-1)}>Browser back</button>
      <button onClick={() => navigate(1)}>Browser forward</button>
    </>
  );
}

function renderSite(search = '?period=7d') {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[`/sites/CAP-ABC123${search}`]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path="/sites/:containerId" element={<SitePage />} />
        </Routes>
        <Probe />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const search = () => screen.getByTestId('search').textContent;
const card = (id: string) => screen.getByTestId(`card-${id}`);
const visitors = () => within(screen.getByTestId('kpi-visitors')).getByTestId('kpi-value').getAttribute('data-value');
const chips = () => screen.queryAllByTestId('filter-chip').map((chip) => chip.textContent);

beforeEach(() => {
  gql.mockRestore();
  role.admin = false;
  pushes.siteEvents = null;
  resetFakeStats();
  downloads.length = 0;
  fakeVisits.push(
    visit('a', '2026-12-01', { 'visit:source': 'Google', 'visit:device': 'Desktop' }),
    visit('b', '2026-12-01', { 'visit:source': 'Google', 'visit:device': 'Mobile' }),
    visit('c', '2026-12-02', { 'visit:source': 'Google', 'visit:device': 'Mobile' }),
    visit('d', '2026-12-02', { 'visit:source': 'Hacker News', 'visit:device': 'Mobile' }),
    visit('e', '2026-12-03', { 'visit:source': 'Direct / None', 'visit:device': 'Desktop' }),
  );
});

describe('the site dashboard', () => {
  it('shows the site, the days of the period, the figures and each card’s rows with their share', async () => {
    renderSite();
    expect(await screen.findByRole('heading', { name: 'Shop site', level: 1 })).toBeInTheDocument();
    await waitFor(() => expect(visitors()).toBe('5'));
    expect(screen.getByTestId('site-days')).toHaveTextContent('1 Dec – 3 Dec 2026');
    const sources = within(card('sources'));
    const rowsOf = () => sources.getAllByTestId('breakdown-row').map((row) => row.getAttribute('data-value'));
    await waitFor(() => expect(rowsOf()).toEqual(['Direct']));
    expect(sources.getByRole('tab', { name: 'Channels' })).toHaveAttribute('aria-selected', 'true');
    await userEvent.click(sources.getByRole('tab', { name: 'Sources' }));
    await waitFor(() => expect(rowsOf()).toEqual(['Google', 'Direct / None', 'Hacker News']));
    const google = sources.getAllByTestId('breakdown-row')[0];
    expect(within(google).getByTestId('row-visitors')).toHaveTextContent('3');
    expect(google).toHaveTextContent('60%');
  });

  it('filters the whole page by a clicked row, in the URL; filters combine, come off one by one, and Back and Forward replay them', async () => {
    const user = userEvent.setup();
    renderSite();
    const sources = within(await screen.findByTestId('card-sources'));
    await user.click(sources.getByRole('tab', { name: 'Sources' }));
    await user.click(await sources.findByRole('button', { name: 'Google' }));
    await waitFor(() => expect(visitors()).toBe('3'));
    expect(search()).toBe('?period=7d&f=is,visit:source,Google');
    expect(chips()).toEqual(['Source is Google']);
    // Every card asks with the filter.
    await waitFor(() => expect(within(card('devices')).getAllByTestId('breakdown-row').map((r) => r.getAttribute('data-value'))).toEqual(['Mobile', 'Desktop']));
    expect(queriesAsked.filter((q) => q.dimensions?.[0] === 'visit:device').at(-1)?.filters).toEqual([['is', 'visit:source', ['Google']]]);

    await user.click(within(card('devices')).getByRole('button', { name: 'Mobile' }));
    await waitFor(() => expect(visitors()).toBe('2'));
    expect(search()).toBe('?period=7d&f=is,visit:source,Google&f=is,visit:device,Mobile');
    expect(chips()).toEqual(['Source is Google', 'Device is Mobile']);

    await user.click(screen.getByRole('button', { name: 'Remove filter: Source is Google' }));
    await waitFor(() => expect(visitors()).toBe('3'));
    expect(search()).toBe('?period=7d&f=is,visit:device,Mobile');

    await user.click(screen.getByRole('button', { name: 'Browser back' }));
    await waitFor(() => expect(visitors()).toBe('2'));
    expect(chips()).toEqual(['Source is Google', 'Device is Mobile']);
    await user.click(screen.getByRole('button', { name: 'Browser back' }));
    await waitFor(() => expect(visitors()).toBe('3'));
    expect(chips()).toEqual(['Source is Google']);
    await user.click(screen.getByRole('button', { name: 'Browser back' }));
    await waitFor(() => expect(visitors()).toBe('5'));
    expect(chips()).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Browser forward' }));
    await waitFor(() => expect(visitors()).toBe('3'));
    expect(chips()).toEqual(['Source is Google']);
  });

  it('never shows one tab’s rows under another’s while it loads (a click would filter by the wrong dimension)', async () => {
    const user = userEvent.setup();
    renderSite();
    const sources = within(await screen.findByTestId('card-sources'));
    await waitFor(() => expect(sources.getAllByTestId('breakdown-row').map((row) => row.getAttribute('data-value'))).toEqual(['Direct']));
    const answer = gql.getMockImplementation()!;
    gql.mockImplementation((document, variables) => {
      const asked = (variables as { query?: StatsQuery } | undefined)?.query;
      return asked?.dimensions?.[0] === 'visit:source' ? new Promise(() => undefined) : answer(document, variables);
    });
    await user.click(sources.getByRole('tab', { name: 'Sources' }));
    expect(sources.queryAllByTestId('breakdown-row')).toEqual([]);
  });

  it('opens with the filters a link carries', async () => {
    renderSite('?period=day&f=is,visit:device,Desktop');
    await waitFor(() => expect(visitors()).toBe('2'));
    expect(chips()).toEqual(['Device is Desktop']);
    expect(screen.getByRole('radio', { name: 'Today' })).toHaveAttribute('aria-checked', 'true');
    expect(queriesAsked.at(-1)?.date_range).toBe('day');
  });

  it('exports a card’s current breakdown as CSV: every row, asked a thousand at a time, with a header row', async () => {
    for (let i = 0; i < 1_200; i += 1) fakeVisits.push(visit(`v${i}`, '2026-12-03', { 'event:page': `/post-${String(i).padStart(4, '0')}` }));
    const user = userEvent.setup();
    renderSite();
    const pages = within(await screen.findByTestId('card-pages'));
    await pages.findAllByTestId('breakdown-row');
    await user.click(pages.getByRole('button', { name: 'Export Pages (Page) as CSV' }));
    await waitFor(() => expect(downloads).toHaveLength(1));
    const lines = downloads[0].content.trimEnd().split('\r\n');
    expect(downloads[0].name).toBe('CAP-ABC123-top-pages-2026-12-01-to-2026-12-03.csv');
    expect(lines[0]).toBe('Page,Visitors,Share of visitors (%)');
    expect(lines).toHaveLength(1 + 1_201);
    expect(lines[1]).toBe('/,5,0.4');
    const pageQueries = queriesAsked.filter((q) => q.dimensions?.[0] === 'event:page' && q.pagination?.limit === 1_000);
    expect(pageQueries.map((q) => q.pagination?.offset)).toEqual([0, 1_000]);
  });

  it('lists every row of a breakdown in its details, a hundred at a time; a row there filters too', async () => {
    for (let i = 0; i < 150; i += 1) fakeVisits.push(visit(`v${i}`, '2026-12-03', { 'visit:source': `site-${String(i).padStart(3, '0')}.example` }));
    const user = userEvent.setup();
    renderSite();
    const sources = within(await screen.findByTestId('card-sources'));
    await user.click(sources.getByRole('tab', { name: 'Sources' }));
    await waitFor(() => expect(sources.getAllByTestId('breakdown-row')).toHaveLength(10));
    await user.click(sources.getByRole('button', { name: 'Details: every source' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Sources: Source' }));
    expect(await dialog.findByText('100 of 153 shown')).toBeInTheDocument();
    await user.click(dialog.getByRole('button', { name: 'Show 53 more' }));
    expect(await dialog.findByText('153 of 153 shown')).toBeInTheDocument();
    await user.click(dialog.getByRole('button', { name: 'site-149.example' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(chips()).toEqual(['Source is site-149.example']);
    await waitFor(() => expect(visitors()).toBe('1'));
  });

  it('shows the current visitors as they are pushed', async () => {
    renderSite();
    expect(await screen.findByText('Counting current visitors…')).toBeInTheDocument();
    act(() => pushes.currentVisitors?.({ currentVisitors: 4 }));
    expect(screen.getByTestId('current-visitors')).toHaveTextContent('4 current visitors');
    act(() => pushes.currentVisitors?.({ currentVisitors: 1 }));
    expect(screen.getByTestId('current-visitors')).toHaveTextContent('1 current visitor');
  });

  it('asks for the figures again when the site’s events are pushed, while the period holds today', async () => {
    renderSite('?period=day');
    await waitFor(() => expect(visitors()).toBe('5'));
    fakeVisits.push(visit('f', '2026-12-03', {}));
    act(() => pushes.siteEvents?.({ newEvents: { eventId: 'e1' } }));
    await waitFor(() => expect(visitors()).toBe('6'), { timeout: 5_000 });
  });

  it('does not listen for new events when the period is over', async () => {
    renderSite('?period=7d');
    await waitFor(() => expect(visitors()).toBe('5'));
    expect(pushes.siteEvents).toBeNull();
  });

  it('credits the places to DB-IP, as its licence asks', async () => {
    renderSite();
    const credit = within(await screen.findByTestId('card-locations')).getByRole('link', { name: 'IP Geolocation by DB-IP' });
    expect(credit).toHaveAttribute('href', 'https://db-ip.com');
  });

  it('offers admins to share the site and set its data retention, and viewers not', async () => {
    renderSite();
    await screen.findByTestId('card-sources');
    expect(screen.queryByRole('button', { name: 'Share' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Data retention' })).not.toBeInTheDocument();
    cleanup();
    role.admin = true;
    renderSite();
    expect(await screen.findByRole('button', { name: 'Share' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Data retention' })).toBeInTheDocument();
  });

  it('asks for the funnel with the filters the page carries', async () => {
    goals.push({ id: 'g1', name: 'Visit /', display_name: 'Visit /' }, { id: 'g2', name: 'Signup', display_name: 'Signup' });
    try {
      const user = userEvent.setup();
      renderSite('?period=7d&f=is,visit:device,Desktop');
      const builder = await screen.findByRole('form', { name: 'Funnel builder' });
      await user.selectOptions(within(builder).getByLabelText('Step 1'), 'Visit /');
      await user.selectOptions(within(builder).getByLabelText('Step 2'), 'Signup');

      await waitFor(() => expect(rest).toHaveBeenCalledWith('POST', '/api/v2/funnel', expect.objectContaining({ steps: ['Visit /', 'Signup'], filters: [['is', 'visit:device', ['Desktop']]] })));
      expect(screen.getByTestId('funnel-filters')).toHaveTextContent('Device is Desktop');
    } finally {
      goals.length = 0;
    }
  });

  it('says so when there is no such site', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={['/sites/CAP-NOPE00']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <Routes>
            <Route path="/sites/:containerId" element={<SitePage />} />
          </Routes>
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(await screen.findByText('There is no site CAP-NOPE00')).toBeInTheDocument();
  });
});
