/** The pages' dialogs give focus back to the button that opened them, Escape included. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';

vi.mock('../lib/session', () => ({
  useSession: () => ({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, user: { username: 'admin', role: 'admin' } }),
  useIsAdmin: () => true,
}));
vi.mock('../lib/live', () => ({ useSubscription: () => ({ error: null }), useLiveState: () => 'live' }));
vi.mock('../lib/http', () => import('../test/fakeApi'));

import AdaptorsPage from './Adaptors';
import SchemasPage from './Schemas';
import SettingsPage from './Settings';

function renderAt(path: string, element: ReactNode) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <Routes>
          <Route path={path} element={element} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

async function escapeReturnsFocus(opener: HTMLElement, dialogName: string | RegExp, startsOn: () => HTMLElement) {
  const user = userEvent.setup();
  await user.click(opener);
  const dialog = await screen.findByRole('dialog', { name: dialogName });
  await waitFor(() => expect(startsOn()).toHaveFocus());
  expect(dialog).toContainElement(startsOn());
  await user.keyboard('{Escape}');
  expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  await waitFor(() => expect(opener).toHaveFocus());
}

describe('dialogs hand focus back on Escape', () => {
  it('New schema', async () => {
    renderAt('/schemas', <SchemasPage />);
    await screen.findByText('shop');
    await escapeReturnsFocus(screen.getByRole('button', { name: 'New schema' }), 'New schema', () => screen.getByLabelText('Name'));
  });

  it('New adaptor and Edit adaptor', async () => {
    renderAt('/adaptors', <AdaptorsPage />);
    await screen.findByText('Shop site');
    await waitFor(() => expect(screen.getByRole('button', { name: 'New adaptor' })).toBeEnabled());
    await escapeReturnsFocus(screen.getByRole('button', { name: 'New adaptor' }), 'New adaptor', () => screen.getByLabelText('Name'));
    await escapeReturnsFocus(screen.getByRole('button', { name: 'Edit Shop site' }), 'Edit Shop site', () => screen.getByLabelText('Name'));
  });

  it('Add user, and the remove confirmation starts on Cancel', async () => {
    renderAt('/settings', <SettingsPage />);
    await screen.findByRole('heading', { name: 'Users and roles' });
    await escapeReturnsFocus(screen.getByRole('button', { name: 'Add user' }), 'Add a user', () => screen.getByLabelText('Username'));
    await screen.findByText('someone');
    await escapeReturnsFocus(screen.getByRole('button', { name: 'Remove someone' }), 'Remove someone?', () => screen.getByRole('button', { name: 'Cancel' }));
  });

  it('Disable adaptor asks with focus on Cancel, not on the destructive button', async () => {
    renderAt('/adaptors', <AdaptorsPage />);
    await screen.findByText('Shop site');
    await escapeReturnsFocus(screen.getByRole('button', { name: 'Disable Shop site' }), 'Disable Shop site?', () => screen.getByRole('button', { name: 'Cancel' }));
  });
});
