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

vi.mock('../lib/http', () => import('../test/fakeApi'));

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
