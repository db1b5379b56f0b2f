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

  it('edit a rule: its settings shown, the changed ones sent, an emptied one back to its default', async () => {
    const user = userEvent.setup();
    alertRules.push({
      id: 'rule7',
      site_id: 'CAP-ABC123',
      settings: { kind: 'bots', name: 'Crawlers', enabled: true, threshold: 500, emails: ['ops@shop.example'], webhook_url: 'https://hooks.example/x', webhook_format: 'json', dedup_minutes: 60 },
      created_at: '2026-11-30T12:00:00Z',
      updated_at: '2026-11-30T12:00:00Z',
    });
    open();
    await user.click(screen.getByRole('button', { name: 'Alerts & reports' }));
    const dialog = within(await screen.findByRole('dialog'));
    await user.click(await dialog.findByRole('button', { name: 'Edit Crawlers' }));
    const form = within(dialog.getByRole('form', { name: 'Edit Crawlers' }));
    expect(form.getByLabelText('When')).toHaveValue('bots');
    expect(form.getByLabelText('Bot events today (UTC)')).toHaveValue('500');
    expect(form.getByLabelText('E-mail to')).toHaveValue('ops@shop.example');

    await user.clear(form.getByLabelText('Bot events today (UTC)'));
    await user.type(form.getByLabelText('Bot events today (UTC)'), '800');
    await user.clear(form.getByLabelText('Webhook URL'));
    await user.click(form.getByRole('switch', { name: 'Enabled' }));
    await user.click(form.getByRole('button', { name: 'Save rule' }));
    expect(rest).toHaveBeenCalledWith('PATCH', '/api/alerts/rule7', {
      name: 'Crawlers',
      enabled: false,
      threshold: 800,
      emails: ['ops@shop.example'],
      webhook_url: null,
    });
    const row = await dialog.findByTestId('alert-rule');
    await waitFor(() => expect(row).toHaveTextContent('threshold 800 · ops@shop.example'));
    expect(row).toHaveTextContent('disabled');
    expect(dialog.queryByRole('form', { name: 'Edit Crawlers' })).not.toBeInTheDocument();
  });

  it('a threshold that is not a number goes to the API as typed, which names the field; cancel leaves the rule', async () => {
    const user = userEvent.setup();
    alertRules.push({
      id: 'rule8',
      site_id: 'CAP-ABC123',
      settings: { kind: 'projection_lag', name: 'Lag', enabled: true, threshold: 60, emails: [], webhook_url: null, webhook_format: 'json', dedup_minutes: 60 },
      created_at: '2026-11-30T12:00:00Z',
      updated_at: '2026-11-30T12:00:00Z',
    });
    open();
    await user.click(screen.getByRole('button', { name: 'Alerts & reports' }));
    const dialog = within(await screen.findByRole('dialog'));
    await user.click(await dialog.findByRole('button', { name: 'Edit Lag' }));
    const form = within(dialog.getByRole('form', { name: 'Edit Lag' }));
    rest.mockImplementationOnce(() => Promise.reject(new Error('threshold must be a number')));
    await user.clear(form.getByLabelText('Seconds behind'));
    await user.type(form.getByLabelText('Seconds behind'), 'soon');
    await user.click(form.getByRole('button', { name: 'Save rule' }));
    expect(rest).toHaveBeenLastCalledWith('PATCH', '/api/alerts/rule8', expect.objectContaining({ threshold: 'soon' }));
    expect(await form.findByText('threshold must be a number')).toBeInTheDocument();

    await user.click(form.getByRole('button', { name: 'Cancel' }));
    expect(dialog.queryByRole('form', { name: 'Edit Lag' })).not.toBeInTheDocument();
    expect(dialog.getByTestId('alert-rule')).toHaveTextContent('threshold 60');
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
