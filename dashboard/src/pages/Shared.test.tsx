/**
 * A shared link's page: the token from the fragment, the password when the link has one, the
 * site's dashboard read-only, read with the link's own token (never a session's).
 */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { gql, rest } from '../test/fakeApi';
import { answerStats, fakeVisits, resetFakeStats, visit } from '../test/fakeStats';
import type { StatsQuery } from '../lib/statsApi';

vi.mock('../lib/http', () => import('../test/fakeApi'));
vi.mock('../lib/live', () => ({ useSubscription: () => ({ error: null }), useLiveState: () => 'live' }));

import SharedPage from './Shared';

interface Server {
  passwordRequired: boolean;
  revoked: boolean;
  /** Access tokens the server still takes. */
  valid: Set<string>;
  issued: number;
  requests: Array<{ method: string; url: string; authorization: string | null }>;
}

let server: Server;

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const refused = (status: number, message: string) => json(status, { detail: message, error: { status, code: 'unauthorized', message } });

function fakeFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const url = input;
  const method = init.method ?? 'GET';
  const authorization = new Headers(init.headers).get('Authorization');
  server.requests.push({ method, url, authorization });
  const body = typeof init.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {};
  if (url === '/api/shared/the-token') {
    if (server.revoked) return Promise.resolve(refused(404, 'this shared link does not exist or has been revoked'));
    if (method === 'GET') return Promise.resolve(json(200, { container_id: 'CAP-ABC123', name: 'Shop site', timezone: 'Asia/Kathmandu', password_required: server.passwordRequired }));
    if (server.passwordRequired && !body.password) return Promise.resolve(refused(401, 'this shared link needs a password'));
    if (server.passwordRequired && body.password !== 'open sesame') return Promise.resolve(refused(401, 'wrong password'));
    server.issued += 1;
    const token = `access-${server.issued}`;
    server.valid.add(token);
    return Promise.resolve(json(200, { access_token: token, token_type: 'bearer', container_id: 'CAP-ABC123', expires_in: 3600 }));
  }
  if (url.startsWith('/api/shared/')) return Promise.resolve(refused(404, 'this shared link does not exist or has been revoked'));
  if (url === '/graphql') {
    if (!server.valid.has((authorization ?? '').replace('Bearer ', ''))) {
      return Promise.resolve(json(200, { data: null, errors: [{ message: 'the token has expired', extensions: { status: 401, code: 'unauthorized' } }] }));
    }
    const query = String(body.query);
    const variables = body.variables as { query: StatsQuery; siteId: string };
    if (query.includes('query WebStats')) return Promise.resolve(json(200, { data: { webStats: answerStats(variables.query) } }));
    if (query.includes('query CurrentVisitors')) return Promise.resolve(json(200, { data: { currentVisitors: 7 } }));
  }
  return Promise.resolve(json(404, { detail: 'not found' }));
}

function Address() {
  const { pathname, search, hash } = useLocation();
  return <output data-testid="address">{decodeURIComponent(pathname + search + hash)}</output>;
}

function renderShared(entry: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[entry]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path="/share" element={<SharedPage />} />
        </Routes>
        <Address />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const visitors = () => within(screen.getByTestId('kpi-visitors')).getByTestId('kpi-value').getAttribute('data-value');

beforeEach(() => {
  server = { passwordRequired: true, revoked: false, valid: new Set(), issued: 0, requests: [] };
  vi.stubGlobal('fetch', vi.fn(fakeFetch));
  resetFakeStats();
  fakeVisits.push(visit('a', '2026-12-01', { 'visit:source': 'Google' }), visit('b', '2026-12-02', { 'visit:source': 'Google' }), visit('c', '2026-12-02', {}));
  gql.mockClear();
  rest.mockClear();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('a shared link', () => {
  it('asks for its password, says when it is wrong, then shows the site read-only with the link’s own token', async () => {
    const user = userEvent.setup();
    renderShared('/share#the-token');
    const password = await screen.findByLabelText('Password');
    expect(screen.getByRole('heading', { name: 'Shop site' })).toBeInTheDocument();
    await user.type(password, 'guess');
    await user.click(screen.getByRole('button', { name: 'Open dashboard' }));
    expect(await screen.findByText('Wrong password.')).toBeInTheDocument();
    await user.clear(password);
    await user.type(password, 'open sesame');
    await user.click(screen.getByRole('button', { name: 'Open dashboard' }));

    await waitFor(() => expect(visitors()).toBe('3'));
    expect(screen.getByRole('heading', { name: 'Shop site', level: 1 })).toBeInTheDocument();
    expect(screen.getByText('· days in Asia/Kathmandu')).toBeInTheDocument();
    expect(await screen.findByText('7 current visitors')).toBeInTheDocument();
    // Read-only: no way into the rest of EventLens, no admin actions.
    expect(screen.queryByRole('navigation')).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Share' })).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /Dashboard|Overview|Settings/ })).not.toBeInTheDocument();
    // Every stats request carried the link's access token, none the signed-in user's.
    const graphql = server.requests.filter((r) => r.url === '/graphql');
    expect(graphql.length).toBeGreaterThan(0);
    expect(graphql.every((r) => r.authorization === 'Bearer access-1')).toBe(true);
    expect(gql).not.toHaveBeenCalled();
    expect(rest).not.toHaveBeenCalled();
  });

  it('filters like the signed-in dashboard, keeping the token in the fragment', async () => {
    server.passwordRequired = false;
    const user = userEvent.setup();
    renderShared('/share?period=7d#the-token');
    await waitFor(() => expect(visitors()).toBe('3'));
    const sources = within(screen.getByTestId('card-sources'));
    await user.click(sources.getByRole('tab', { name: 'Sources' }));
    await user.click(await sources.findByRole('button', { name: 'Google' }));
    await waitFor(() => expect(visitors()).toBe('2'));
    expect(screen.getAllByTestId('filter-chip').map((c) => c.textContent)).toEqual(['Source is Google']);
    expect(screen.getByTestId('address')).toHaveTextContent('/share?period=7d&f=is,visit:source,Google#the-token');
    expect(server.requests.filter((r) => r.url === '/api/shared/the-token' && r.method === 'POST')).toHaveLength(1);
  });

  it('is exchanged again, with the password given, once its access token has expired', async () => {
    const user = userEvent.setup();
    renderShared('/share#the-token');
    await user.type(await screen.findByLabelText('Password'), 'open sesame');
    await user.click(screen.getByRole('button', { name: 'Open dashboard' }));
    await waitFor(() => expect(visitors()).toBe('3'));
    server.valid.clear();
    await user.click(screen.getByRole('radio', { name: 'Today' }));
    await waitFor(() => expect(server.issued).toBe(2));
    await waitFor(() => expect(server.requests.at(-1)?.authorization).toBe('Bearer access-2'));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('says when it has been revoked or does not exist', async () => {
    server.revoked = true;
    renderShared('/share#the-token');
    expect(await screen.findByRole('heading', { level: 1, name: 'This link does not work' })).toBeInTheDocument();
    expect(screen.getByText(/does not exist or has been revoked/)).toBeInTheDocument();
  });

  it('says when the address lost its token', () => {
    renderShared('/share');
    expect(screen.getByRole('heading', { level: 1, name: 'This link is incomplete' })).toBeInTheDocument();
    expect(server.requests).toEqual([]);
  });
});
