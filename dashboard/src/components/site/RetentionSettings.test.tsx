/** A site's data retention (admins): the current period, a new one in days (checked as typed), confirmed with a warning that older events will be removed, and cleared. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { gql, siteRetention } from '../../test/fakeApi';

vi.mock('../../lib/http', () => import('../../test/fakeApi'));

import { daysProblem, removedBefore } from '../../lib/retention';
import { RetentionButton } from './RetentionSettings';

const mutations = () => gql.mock.calls.filter(([document]) => document.toString().includes('mutation')).map(([document, variables]) => [/mutation (\w+)/.exec(document.toString())?.[1], variables]);

async function openDialog() {
  const user = userEvent.setup();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <RetentionButton containerId="CAP-ABC123" siteName="Shop site" />
    </QueryClientProvider>,
  );
  await user.click(screen.getByRole('button', { name: 'Data retention' }));
  const dialog = await screen.findByRole('dialog', { name: 'Data retention of Shop site' });
  return { user, dialog };
}

beforeEach(() => {
  siteRetention.days = null;
  siteRetention.expiredBefore = null;
  gql.mockClear();
});

describe('data retention', () => {
  it('shows a site keeping its events forever, and sets a period only after a confirmation that older events will be removed', async () => {
    const { user, dialog } = await openDialog();
    expect(await within(dialog).findByTestId('retention-current')).toHaveTextContent('Kept forever');
    expect(within(dialog).queryByRole('button', { name: 'Keep forever' })).not.toBeInTheDocument();

    await user.type(within(dialog).getByLabelText('Keep events for (days)'), '30');
    await user.click(within(dialog).getByRole('button', { name: 'Set period' }));

    const confirm = within(dialog).getByRole('group', { name: 'Confirm the retention period' });
    expect(confirm).toHaveTextContent('Keep 30 days of events?');
    expect(confirm).toHaveTextContent(`Older events will be removed: once a day, this site’s events received before ${removedBefore(30)} (UTC) are deleted`);
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(mutations()).toEqual([]);

    await user.click(within(confirm).getByRole('button', { name: 'Remove older events' }));
    await waitFor(() => expect(within(dialog).getByTestId('retention-current')).toHaveTextContent('Kept for 30 days'));
    expect(mutations()).toEqual([['SetRetention', { containerId: 'CAP-ABC123', days: 30 }]]);
  });

  it('changes nothing when the confirmation is cancelled', async () => {
    const { user, dialog } = await openDialog();
    await user.type(await within(dialog).findByLabelText('Keep events for (days)'), '7');
    await user.click(within(dialog).getByRole('button', { name: 'Set period' }));
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    expect(within(dialog).getByTestId('retention-current')).toHaveTextContent('Kept forever');
    expect(mutations()).toEqual([]);
  });

  it('names what is wrong with the days typed, and sends nothing', async () => {
    const { user, dialog } = await openDialog();
    const input = await within(dialog).findByLabelText('Keep events for (days)');
    for (const [typed, message] of [
      ['0', 'Enter a number of days from 1 to 3650 (about ten years).'],
      ['3651', 'Enter a number of days from 1 to 3650 (about ten years).'],
      ['2.5', 'Enter a whole number of days, without decimals or units.'],
      ['30d', 'Enter a whole number of days, without decimals or units.'],
    ]) {
      await user.clear(input);
      await user.type(input, typed);
      await user.click(within(dialog).getByRole('button', { name: 'Set period' }));
      expect(within(dialog).getByRole('alert')).toHaveTextContent(message);
      expect(input).toHaveAttribute('aria-invalid', 'true');
    }
    expect(within(dialog).queryByRole('group', { name: 'Confirm the retention period' })).not.toBeInTheDocument();
    expect(mutations()).toEqual([]);
  });

  it('shows the current period and the last expiry, and clears the period', async () => {
    siteRetention.days = 395;
    siteRetention.expiredBefore = '2026-11-06T00:00:00+00:00';
    const { user, dialog } = await openDialog();
    const current = await within(dialog).findByTestId('retention-current');
    expect(current).toHaveTextContent('Kept for 395 days');
    expect(current).toHaveTextContent('The last expiry removed what was received before');

    await user.click(within(dialog).getByRole('button', { name: 'Keep forever' }));
    await waitFor(() => expect(within(dialog).getByTestId('retention-current')).toHaveTextContent('Kept forever'));
    expect(mutations()).toEqual([['ClearRetention', { containerId: 'CAP-ABC123' }]]);
  });
});

describe('a number of days', () => {
  it('is a whole number from 1 to 3650', () => {
    expect(daysProblem('')).toBe('Enter a number of days.');
    expect(daysProblem(' 1 ')).toBeNull();
    expect(daysProblem('3650')).toBeNull();
    expect(daysProblem('-5')).toBe('Enter a whole number of days, without decimals or units.');
  });

  it('removes what was received before the UTC day that many days ago', () => {
    expect(removedBefore(30, Date.UTC(2026, 11, 7, 4, 30))).toBe('2026-11-07');
  });
});
