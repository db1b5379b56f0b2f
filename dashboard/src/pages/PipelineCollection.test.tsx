/** Pipeline health shows what collection keeps out (bots) and leaves out (places, when it cannot record them). */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { utcDays } from '../lib/bots';
import { botCounts, geoStatus } from '../test/fakeApi';

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

const card = () => screen.getByTestId('bots-kept-out');
const [today, yesterday] = utcDays(2, new Date()).reverse();

beforeEach(() => {
  botCounts.length = 0;
});

describe('bots kept out', () => {
  it('explains what counts as a bot, and that bots are not visitors', async () => {
    renderPipeline();
    await within(card()).findByText(/No bots in the last 30 days/);
    expect(within(card()).getByRole('heading', { name: 'Bots kept out' })).toBeInTheDocument();
    expect(card()).toHaveTextContent(/crawlers, headless browsers, clients without a User-Agent and pages under automation/);
    expect(card()).toHaveTextContent(/never recorded as events or counted as visitors/);
  });

  it("lists each site's bot events by name and container id, per day, with totals", async () => {
    botCounts.push(
      { day: today, container_id: 'CAP-ABC123', events: 3 },
      { day: yesterday, container_id: 'CAP-ABC123', events: 2 },
      { day: yesterday, container_id: 'CAP-GONE99', events: 7 },
    );
    renderPipeline();
    await within(card()).findAllByText('Shop site');
    const rows = within(card()).getAllByTestId('bots-row');
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual(['CAP-GONE99', 'Shop siteCAP-ABC123']);
    const shop = rows[1];
    const [, todayCell, totalCell] = within(shop).getAllByRole('cell');
    expect([todayCell.textContent, totalCell.textContent]).toEqual(['3', '5']);
    expect(within(shop).getByRole('img')).toHaveAccessibleName(`Shop site: 5 bot events in 30 days, most on ${today} (3)`);
    expect(within(shop).getByRole('img').querySelectorAll('rect')).toHaveLength(30);
    const allSites = within(card()).getByRole('rowheader', { name: 'All sites' }).closest('tr')!;
    expect(within(allSites).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['3', '12']);
    expect(within(card()).getByText('12 events')).toBeInTheDocument();
    // The sparklines' data for screen readers: a row per day with bot events, a column per site.
    const perDay = within(card()).getByTestId('bots-days');
    expect(within(perDay).getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['Day', 'CAP-GONE99', 'Shop site']);
    expect(within(perDay).getAllByRole('row').slice(1).map((tr) => tr.textContent)).toEqual([`${yesterday}72`, `${today}03`]);
  });

  it('names events that named no site as such, with no totals row for a single site', async () => {
    botCounts.push({ day: today, container_id: '', events: 1 });
    renderPipeline();
    const [row] = await within(card()).findAllByTestId('bots-row');
    expect(within(row).getByRole('rowheader')).toHaveTextContent(/^No site named$/);
    expect(within(card()).queryByRole('rowheader', { name: 'All sites' })).not.toBeInTheDocument();
  });
});

describe('places on pipeline health', () => {
  afterEach(() => {
    Object.assign(geoStatus, { enabled: true, problem: null });
  });

  it('says why places are not recorded when the server records none', async () => {
    Object.assign(geoStatus, { enabled: false, problem: 'no geo database: run scripts/geoip fetch, or set EVENTLENS_GEOIP_DB to an MMDB file or directory' });
    renderPipeline();
    expect(await screen.findByTestId('geo-notice')).toHaveTextContent(
      'Places are not recorded: no geo database: run scripts/geoip fetch, or set EVENTLENS_GEOIP_DB to an MMDB file or directory.',
    );
  });

  it('says nothing about places while they are recorded', async () => {
    renderPipeline();
    await within(card()).findByText(/No bots/);
    expect(screen.queryByTestId('geo-notice')).not.toBeInTheDocument();
  });
});
