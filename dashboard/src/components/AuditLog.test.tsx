/** Settings: the audit log, as a table with its caption and column headers, filtered by who and
 * by kind, a page at a time, newest first. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { auditEntries, rest } from '../test/fakeApi';

vi.mock('../lib/http', () => import('../test/fakeApi'));

import { AUDIT_PAGE, AuditLog } from './AuditLog';

function entry(position: number, actor: string, action: string, subject: string | null) {
  return {
    position,
    recorded_at: new Date(Date.UTC(2026, 0, 1, 0, position)).toISOString(),
    actor,
    action,
    subject_type: action.split('.')[0],
    subject,
    details: action === 'User.RoleChanged' ? { role: 'viewer' } : {},
  };
}

function show() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <AuditLog />
    </QueryClientProvider>,
  );
}

beforeEach(() => {
  auditEntries.length = 0;
  rest.mockClear();
});

describe('Audit log', () => {
  it('lists who did what and when, newest first, in a table with headers', async () => {
    auditEntries.push(entry(1, 'system', 'User.Created', 'admin'), entry(2, 'admin', 'Session.SignedIn', 'admin'), entry(3, 'admin', 'User.RoleChanged', 'vera'));
    show();

    const table = await screen.findByRole('table');
    expect(within(table).getByText(/Audit log, newest first: page 1 of 1, 3 entries/)).toBeInTheDocument();
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['When', 'Who', 'What', 'On', 'Details']);
    const rows = screen.getAllByTestId('audit-entry');
    expect(rows.map((r) => within(r).getAllByRole('cell')[2].textContent)).toEqual(['User.RoleChanged', 'Session.SignedIn', 'User.Created']);
    expect(rows[0]).toHaveTextContent('vera');
    expect(rows[0]).toHaveTextContent('role: viewer');
    expect(screen.queryByRole('button', { name: /delete|edit|remove/i })).toBeNull();
  });

  it('filters by who and by kind, and starts again at the first page', async () => {
    const user = userEvent.setup();
    auditEntries.push(entry(1, 'admin', 'Schema.Registered', 'shop'), entry(2, 'vera', 'Session.SignedIn', 'vera'), entry(3, 'admin', 'Session.SignedOut', 'admin'));
    show();
    await screen.findByRole('table');

    await user.selectOptions(screen.getByLabelText('What'), 'Sign-ins and sign-outs');
    expect(rest).toHaveBeenLastCalledWith('GET', `/api/audit-log?limit=${AUDIT_PAGE}&offset=0&action=Session.`);
    await user.type(screen.getByLabelText(/Who/), 'vera');
    const rows = await screen.findAllByTestId('audit-entry');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('Session.SignedIn');

    await user.clear(screen.getByLabelText(/Who/));
    await user.type(screen.getByLabelText(/Who/), 'nobody');
    expect(await screen.findByText('No entries')).toBeInTheDocument();
  });

  it('pages through older entries', async () => {
    const user = userEvent.setup();
    for (let i = 1; i <= AUDIT_PAGE + 3; i += 1) auditEntries.push(entry(i, 'admin', 'Adaptor.Updated', 'CAP-ABC123'));
    show();
    await screen.findByRole('table');
    expect(screen.getAllByTestId('audit-entry')).toHaveLength(AUDIT_PAGE);
    expect(screen.getByRole('button', { name: 'Newer' })).toBeDisabled();

    await user.click(screen.getByRole('button', { name: 'Older' }));
    expect(await screen.findByText('Page 2 of 2')).toBeInTheDocument();
    expect(await screen.findAllByTestId('audit-entry')).toHaveLength(3);
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Newer' }));
    expect(await screen.findByText('Page 1 of 2')).toBeInTheDocument();
  });
});
