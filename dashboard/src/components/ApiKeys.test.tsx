/** Settings: API keys made with a name, the key shown once, listed by their first characters, revoked. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { apiKeys, rest } from '../test/fakeApi';

vi.mock('../lib/http', () => import('../test/fakeApi'));

import { ApiKeys } from './ApiKeys';

beforeEach(() => {
  apiKeys.length = 0;
  rest.mockClear();
});

describe('API keys', () => {
  it('show a new key once, then list it by its prefix, and revoke it', async () => {
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <ApiKeys />
      </QueryClientProvider>,
    );
    expect(await screen.findByText('No API keys')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'New API key' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'New API key' }));
    await user.type(dialog.getByLabelText('Name'), 'Weekly report');
    await user.click(dialog.getByRole('button', { name: 'Create key' }));
    expect(rest).toHaveBeenCalledWith('POST', '/api/users/me/api-keys', { name: 'Weekly report' });
    const shown = within(await screen.findByRole('dialog', { name: 'Key Weekly report created' }));
    expect(shown.getByLabelText('API key')).toHaveValue('el_key1-the-whole-secret');
    expect(shown.getByRole('button', { name: 'Copy key' })).toBeInTheDocument();
    await user.click(shown.getByRole('button', { name: 'Done' }));

    const listed = await screen.findByTestId('api-key');
    expect(listed).toHaveTextContent('Weekly report');
    expect(listed).toHaveTextContent('el_key1…');
    expect(listed).not.toHaveTextContent('the-whole-secret');

    await user.click(within(listed).getByRole('button', { name: 'Revoke Weekly report' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Revoke Weekly report?' })).getByRole('button', { name: 'Revoke key' }));
    expect(rest).toHaveBeenCalledWith('DELETE', '/api/users/me/api-keys/key1');
    await waitFor(() => expect(screen.getByText('No API keys')).toBeInTheDocument());
  });
});
