/** Admin-only controls are hidden from viewers. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const session = vi.hoisted(() => ({ role: 'viewer' }));

vi.mock('../lib/session', () => ({
  useSession: () => ({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, user: { username: 'someone', role: session.role } }),
  useIsAdmin: () => session.role === 'admin',
}));

vi.mock('../lib/live', () => ({
  useSubscription: () => ({ error: null }),
  useLiveState: () => 'live',
}));

const schema = {
  name: 'shop',
  description: 'Shop',
  version: 2,
  isActive: true,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-02T00:00:00Z',
  eventTypes: [{ name: 'page_view', jsonSchema: {} }],
};
const adaptor = {
  containerId: 'CAP-ABC123',
  name: 'Shop site',
  schemaId: 'shop',
  websiteUrls: ['https://shop.example'],
  allowedOrigins: [],
  description: '',
  isActive: true,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  lastSeenAt: null,
  eventsLastHour: 0,
  snippet: '<script></script>',
};

vi.mock('../lib/http', () => ({
  gql: vi.fn((doc: { toString(): string }) => {
    const text = doc.toString();
    if (text.includes('query Schemas')) return Promise.resolve({ schemas: [schema] });
    if (text.includes('query SchemaVersions')) return Promise.resolve({ schemaVersions: [] });
    if (text.includes('query Catalog')) return Promise.resolve({ schemas: [{ name: 'shop', isActive: true, eventTypes: [{ name: 'page_view' }] }], adaptors: [adaptor] });
    if (text.includes('query Adaptors')) return Promise.resolve({ adaptors: [adaptor] });
    if (text.includes('query Pipeline')) return Promise.resolve({ projectionLag: [], timeSeries: [] });
    if (text.includes('query RejectedEvents')) return Promise.resolve({ rejectedEvents: { items: [], nextCursor: null } });
    if (text.includes('query ReplayStatus')) return Promise.resolve({ replayStatus: [] });
    return Promise.reject(new Error(`unexpected query ${text.slice(0, 40)}`));
  }),
  rest: vi.fn(() => Promise.resolve([])),
}));

import AdaptorsPage from './Adaptors';
import PipelinePage from './Pipeline';
import SchemasPage from './Schemas';
import SettingsPage from './Settings';

function renderAt(path: string, element: ReactNode, route = path) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path={route} element={element} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

describe.each([
  ['viewer', false],
  ['admin', true],
])('as %s', (role, admin) => {
  beforeEach(() => {
    session.role = role;
  });

  it(`schemas: create, edit and retire are ${admin ? 'shown' : 'hidden'}`, async () => {
    renderAt('/schemas', <SchemasPage />);
    await screen.findByText('shop');
    expect(screen.queryAllByRole('button', { name: 'New schema' }).length > 0).toBe(admin);
  });

  it(`schema detail: edit and retire are ${admin ? 'shown' : 'hidden'}`, async () => {
    renderAt('/schemas/shop', <SchemasPage />, '/schemas/:name');
    await screen.findByRole('heading', { name: 'shop' });
    expect(!!screen.queryByRole('button', { name: 'Edit' })).toBe(admin);
    expect(!!screen.queryByRole('button', { name: 'Retire' })).toBe(admin);
  });

  it(`adaptors: create, edit and disable are ${admin ? 'shown' : 'hidden'}; the snippet is always there`, async () => {
    renderAt('/adaptors', <AdaptorsPage />);
    await screen.findByText('Shop site');
    expect(!!screen.queryByRole('button', { name: 'New adaptor' })).toBe(admin);
    expect(!!screen.queryByRole('button', { name: 'Edit Shop site' })).toBe(admin);
    expect(!!screen.queryByRole('button', { name: 'Disable Shop site' })).toBe(admin);
    expect(screen.getByRole('button', { name: 'Snippet' })).toBeInTheDocument();
  });

  it(`pipeline: re-processing is ${admin ? 'shown' : 'hidden'}`, async () => {
    renderAt('/pipeline', <PipelinePage />);
    await screen.findByText('No rejected events');
    expect(!!screen.queryByRole('button', { name: /^Re-process/ })).toBe(admin);
  });

  it(`settings: user management is ${admin ? 'shown' : 'hidden'}`, () => {
    renderAt('/settings', <SettingsPage />);
    expect(screen.getByRole('heading', { name: 'Your account' })).toBeInTheDocument();
    expect(!!screen.queryByRole('heading', { name: 'Users and roles' })).toBe(admin);
  });
});
