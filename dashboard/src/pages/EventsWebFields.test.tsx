/** The explorer shows what collection records about each visit, and nothing for what it did not record. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { geoStatus, makeEvent, storedEvents, TRACKED_FIELDS } from '../test/fakeApi';

vi.mock('../lib/live', () => ({ useSubscription: () => ({ error: null }), useLiveState: () => 'live' }));
vi.mock('../lib/http', () => import('../test/fakeApi'));

import EventsPage from './Events';

function renderEvents() {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={['/events']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path="/events" element={<EventsPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const NO_GEO = 'no geo database: run scripts/geoip fetch, or set EVENTLENS_GEOIP_DB to an MMDB file or directory';
const rows = () => screen.findAllByTestId('event-row');
const column = (row: HTMLElement, header: string) => {
  const headers = screen.getAllByRole('columnheader').map((th) => th.textContent);
  return within(row).getAllByRole('cell')[headers.indexOf(header)];
};

async function openDrawer(row: HTMLElement) {
  await userEvent.setup().click(within(row).getByRole('button', { name: /^Open event/ }));
  return screen.findByRole('dialog');
}

beforeEach(() => {
  storedEvents.length = 0;
});

afterEach(() => {
  Object.assign(geoStatus, { enabled: true, problem: null });
});

describe('web fields in the events explorer', () => {
  it("shows a tracked event's page, source and channel, software, device and country in its row", async () => {
    storedEvents.push(makeEvent({ ...TRACKED_FIELDS }));
    renderEvents();
    const [row] = await rows();
    expect(column(row, 'Page')).toHaveTextContent(/^shop\.example\/pricingnewsletter · Email$/);
    expect(within(column(row, 'Page')).getByTestId('event-page')).toHaveAttribute('title', TRACKED_FIELDS.url);
    expect(column(row, 'Visitor')).toHaveTextContent(/^Safari · iOSMobile · United Kingdom$/);
    expect(within(column(row, 'Visitor')).getByTitle('London, England, United Kingdom')).toBeInTheDocument();
  });

  it('shows nothing for fields an event lacks: no placeholders, no attribution', async () => {
    storedEvents.push(makeEvent({ properties: { page_path: '/server-side' } }));
    renderEvents();
    const [row] = await rows();
    expect(column(row, 'Page')).toBeEmptyDOMElement();
    expect(column(row, 'Visitor')).toBeEmptyDOMElement();
    expect(screen.queryByTestId('geo-attribution')).not.toBeInTheDocument();
  });

  it("keeps the page at phone width: the event's path is under its type", async () => {
    storedEvents.push(makeEvent({ ...TRACKED_FIELDS }));
    renderEvents();
    const [row] = await rows();
    expect(column(row, 'Event type')).toHaveTextContent(/^page_viewshop\/pricing$/);
    // The columns beyond the time and type are hidden on phones.
    for (const header of ['Page', 'Visitor', 'Adaptor', 'Session', 'Properties']) {
      expect(screen.getByRole('columnheader', { name: header }).className).toMatch(/(^| )hidden( |$)/);
    }
  });

  it('credits DB-IP, linking to it, where places are shown', async () => {
    storedEvents.push(makeEvent({ ...TRACKED_FIELDS }));
    renderEvents();
    await rows();
    const credit = screen.getByRole('link', { name: 'IP Geolocation by DB-IP' });
    expect(credit).toHaveAttribute('href', 'https://db-ip.com');
  });

  it('lists the visit in the detail, with the place and its attribution', async () => {
    storedEvents.push(makeEvent({ ...TRACKED_FIELDS }));
    renderEvents();
    const drawer = await openDrawer((await rows())[0]);
    const visit = within(drawer).getByTestId('event-visit');
    const facts = Object.fromEntries(within(visit).getAllByRole('term').map((term) => [term.textContent, term.nextElementSibling?.textContent]));
    expect(facts).toEqual({
      Page: TRACKED_FIELDS.url,
      Referrer: 'https://news.example/',
      Source: 'newsletter',
      Channel: 'Email',
      Campaign: 'source newsletter · medium email · campaign spring',
      Browser: 'Safari 17.4',
      OS: 'iOS 17.4',
      Device: 'Mobile',
      'Screen width': '390 px',
      Visitor: TRACKED_FIELDS.visitorId,
      Place: 'London, England, United KingdomIP Geolocation by DB-IP',
    });
    expect(within(visit).getByRole('link', { name: 'IP Geolocation by DB-IP' })).toHaveAttribute('href', 'https://db-ip.com');
    expect(within(drawer).getByLabelText('Event JSON')).toHaveTextContent('"utm_campaign": "spring"');
  });

  it('has no visit section for an event with none of the fields', async () => {
    storedEvents.push(makeEvent());
    renderEvents();
    const drawer = await openDrawer((await rows())[0]);
    expect(within(drawer).queryByRole('heading', { name: 'Visit' })).not.toBeInTheDocument();
    expect(within(drawer).getByLabelText('Event JSON')).not.toHaveTextContent('utm_');
  });
});

describe('when the server records no places', () => {
  beforeEach(() => {
    Object.assign(geoStatus, { enabled: false, problem: NO_GEO });
  });

  it('says why above the events, and where the place would be in the detail', async () => {
    storedEvents.push(makeEvent({ ...TRACKED_FIELDS, country: null, region: null, city: null }));
    renderEvents();
    const [row] = await rows();
    expect(await screen.findByTestId('geo-notice')).toHaveTextContent(`Places are not recorded: ${NO_GEO}.`);
    expect(screen.queryByTestId('geo-attribution')).not.toBeInTheDocument();
    const drawer = await openDrawer(row);
    const notice = within(drawer).getByTestId('geo-notice-detail');
    expect(notice).toHaveTextContent(`Places are not recorded: ${NO_GEO}.`);
    expect(notice.closest('dd')?.previousElementSibling).toHaveTextContent(/^Place$/);
  });
});
