/** An admin sets up a site's alert rules and its e-mail report from the site's page. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { alertRules, emailReport, rest } from '../../test/fakeApi';

vi.mock('../../lib/http', () => import('../../test/fakeApi'));

import { SiteWatchButton } from './SiteWatch';

beforeEach(() => {
  alertRules.length = 0;
  Object.assign(emailReport, { period: 'weekly', recipients: [], updated_at: null });
  rest.mockClear();
});

function open() {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <SiteWatchButton containerId="CAP-ABC123" siteName="Shop site" />
    </QueryClientProvider>,
  );
}

describe('alerts and reports of a site', () => {
  it('make a rule with its channels, list it and delete it', async () => {
    const user = userEvent.setup();
    open();
    await user.click(screen.getByRole('button', { name: 'Alerts & reports' }));
    const dialog = within(await screen.findByRole('dialog', { name: 'Alerts and reports of Shop site' }));
    expect(await dialog.findByText('No alert rules yet')).toBeInTheDocument();

    await user.selectOptions(dialog.getByLabelText('When'), 'rejected_events');
    await user.type(dialog.getByLabelText('Rejected events in the window'), '50');
    await user.type(dialog.getByLabelText('E-mail to'), 'ops@shop.example, cto@shop.example');
    await user.type(dialog.getByLabelText('Webhook URL'), 'https://hooks.example/x');
    await user.selectOptions(dialog.getByLabelText('Webhook format'), 'slack');
    await user.click(dialog.getByRole('button', { name: 'Create rule' }));
    expect(rest).toHaveBeenCalledWith('POST', '/api/alerts/', {
      site_id: 'CAP-ABC123',
      kind: 'rejected_events',
      threshold: 50,
      emails: ['ops@shop.example', 'cto@shop.example'],
      webhook_url: 'https://hooks.example/x',
      webhook_format: 'slack',
    });
    const listed = await dialog.findByTestId('alert-rule');
    expect(listed).toHaveTextContent('Rejected events above a threshold');
    expect(listed).toHaveTextContent('ops@shop.example, cto@shop.example, webhook (slack)');

    await user.click(within(listed).getByRole('button', { name: /^Delete / }));
    await user.click(within(listed).getByRole('button', { name: 'Delete' }));
    expect(rest).toHaveBeenCalledWith('DELETE', '/api/alerts/rule1');
    await waitFor(() => expect(dialog.getByText('No alert rules yet')).toBeInTheDocument());
  });

  it('choose the report period and its recipients', async () => {
    const user = userEvent.setup();
    open();
    await user.click(screen.getByRole('button', { name: 'Alerts & reports' }));
    const dialog = within(await screen.findByRole('dialog'));
    await user.selectOptions(await dialog.findByLabelText('Report'), 'monthly');
    await user.type(dialog.getByLabelText('Recipients'), 'ann@shop.example{enter}bob@shop.example');
    await user.click(dialog.getByRole('button', { name: 'Save report' }));
    expect(rest).toHaveBeenCalledWith('PUT', '/api/adaptors/CAP-ABC123/email-report', { period: 'monthly', recipients: ['ann@shop.example', 'bob@shop.example'] });
    await waitFor(() => expect(dialog.getByLabelText('Recipients')).toHaveValue('ann@shop.example\nbob@shop.example'));
  });
});
