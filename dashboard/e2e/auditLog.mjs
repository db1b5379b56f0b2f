/**
 * Settings' audit log in Chromium, as an admin: the sign-ins and catalog changes made so far
 * are listed with who made them, the filters narrow the table, and axe finds nothing on it.
 */
import { axeViolations } from './accessibility.mjs';

export async function auditLogChecks({ step, assert, waitFor, base, page }) {
  await step('settings: the audit log lists who did what, filtered, and passes axe', async () => {
    await page.goto(`${base}/settings`);
    const log = page.getByRole('region', { name: 'Audit log', exact: true });
    await log.getByTestId('audit-entry').first().waitFor({ timeout: 15_000 });
    const caption = await log.locator('caption').textContent();
    assert(/^Audit log, newest first: page 1 of \d+, \d+ entries$/.test(caption.trim()), `caption: ${caption}`);
    const rows = async () => (await log.getByTestId('audit-entry').allTextContents()).join('\n');
    const all = await rows();
    assert(all.includes('Session.SignedIn') && all.includes('admin'), `no sign-in of admin listed: ${all.slice(0, 300)}`);
    assert(all.includes('Schema.Registered'), `no schema registration listed: ${all.slice(0, 300)}`);

    await log.getByLabel('What').selectOption({ label: 'Schemas' });
    await waitFor(async () => {
      const actions = await log.locator('[data-testid="audit-entry"] td:nth-child(3)').allTextContents();
      return actions.length > 0 && actions.every((a) => a.startsWith('Schema.'));
    }, { what: 'only schema changes listed' });

    await log.getByLabel(/Who/).fill('nobody-at-all');
    await log.getByText('No entries').waitFor();
    await log.getByLabel(/Who/).fill('');
    await log.getByLabel('What').selectOption({ label: 'Everything' });
    await log.getByTestId('audit-entry').first().waitFor();

    const found = await axeViolations(page);
    assert(found.length === 0, `axe on the audit log: ${found.slice(0, 3).join(' | ')}`);
  });
}
