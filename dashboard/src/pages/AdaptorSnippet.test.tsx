/** An adaptor's install dialog hands out the tag first, the inline snippet as the alternative. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';
import { adaptor } from '../test/fakeApi';

vi.mock('../lib/session', () => ({
  useSession: () => ({ accessToken: 't', refreshToken: 'r', expiresAt: Date.now() + 3_600_000, user: { username: 'someone', role: 'viewer' } }),
  useIsAdmin: () => false,
}));
vi.mock('../lib/live', () => ({ useSubscription: () => ({ error: null }), useLiveState: () => 'live' }));
vi.mock('../lib/http', () => import('../test/fakeApi'));

import AdaptorsPage from './Adaptors';

describe('the adaptor’s install dialog', () => {
  it('shows the tag to copy, and the inline snippet for identified tracking behind a disclosure', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <MemoryRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <AdaptorsPage />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    const user = userEvent.setup();
    await screen.findByText('Shop site');

    await user.click(screen.getByRole('button', { name: 'Snippet' }));

    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('snippet')).toHaveTextContent(adaptor.snippet);
    expect(within(dialog).getByRole('button', { name: 'Copy tag' })).toBeInTheDocument();
    const inline = within(dialog).getByTestId('inline-snippet');
    expect(inline).not.toBeVisible();
    await user.click(within(dialog).getByText('Inline snippet, for identified tracking with consent'));
    expect(inline).toBeVisible();
    expect(inline).toHaveTextContent(adaptor.inlineSnippet);
    expect(within(dialog).getByRole('button', { name: 'Copy inline snippet' })).toBeInTheDocument();
  });
});

describe('each adaptor', () => {
  it('links to its site’s dashboard', async () => {
    const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    render(
      <QueryClientProvider client={client}>
        <MemoryRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <AdaptorsPage />
        </MemoryRouter>
      </QueryClientProvider>,
    );
    expect(await screen.findByRole('link', { name: 'Dashboard of Shop site' })).toHaveAttribute('href', `/sites/${adaptor.containerId}`);
  });
});
