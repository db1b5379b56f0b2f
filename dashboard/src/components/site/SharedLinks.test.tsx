/** An admin shares a site: a link with a password, its address shown once, listed, revoked. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { rest, sharedLinks } from '../../test/fakeApi';

vi.mock('../../lib/http', () => import('../../test/fakeApi'));

import { SharedLinksButton } from './SharedLinks';

beforeEach(() => {
  sharedLinks.length = 0;
  rest.mockClear();
});

describe('shared links', () => {
  it('are made with an optional password, their address (token in the fragment) shown once, listed and revoked', async () => {
    const user = userEvent.setup();
    render(
      <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
        <SharedLinksButton containerId="CAP-ABC123" siteName="Shop site" />
      </QueryClientProvider>,
    );
    await user.click(screen.getByRole('button', { name: 'Share' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Share Shop site' }));
    expect(await dialog.findByText('No shared links yet')).toBeInTheDocument();

    await user.type(dialog.getByLabelText('Name'), 'For the team');
    await user.type(dialog.getByLabelText('Password'), 'open sesame');
    await user.click(dialog.getByRole('button', { name: 'Create link' }));
    expect(rest).toHaveBeenCalledWith('POST', '/api/adaptors/CAP-ABC123/shared-links', { name: 'For the team', password: 'open sesame' });
    const address = await dialog.findByLabelText('Shared link');
    expect(address).toHaveValue(`${window.location.origin}/share#token-of-link1`);
    expect(dialog.getByRole('button', { name: 'Copy link' })).toBeInTheDocument();

    const listed = await dialog.findByTestId('shared-link');
    expect(listed).toHaveTextContent('For the team');
    expect(listed).toHaveTextContent('password');
    expect(listed).not.toHaveTextContent('token-of-link1');

    await user.click(within(listed).getByRole('button', { name: 'Revoke For the team' }));
    await user.click(within(listed).getByRole('button', { name: 'Revoke' }));
    expect(rest).toHaveBeenCalledWith('DELETE', '/api/adaptors/CAP-ABC123/shared-links/link1');
    await waitFor(() => expect(dialog.getByText('No shared links yet')).toBeInTheDocument());
  });
});
