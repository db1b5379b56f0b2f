/**
 * Goals on the site dashboard of the web demo (`siteDashboard.mjs`): with the goals `Visit /`
 * and `Visit /pricing` (the funnel builder's, added through the API if it has not), an admin
 * adds `Visit /about` in the site's Goals settings after the visits were recorded, and the
 * Goals card counts all three over that history at once. By hand, yesterday and today: of the
 * 5 visitors, 4 viewed `/` (the newsletter's visit too: its query string is not part of the
 * path), 1 viewed `/about` and 1 `/pricing`. A goal's row filters the whole page by it,
 * through the URL; its chip removes it.
 */
import path from 'node:path';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);

export async function goalsDashboardChecks(t, containerId) {
  const { api, assert, waitFor, page } = t;
  const step = (name, fn) => t.step(name, async () => {
    assert(containerId, 'not run: the demo site could not be set up');
    await fn();
  });
  const card = () => page.getByTestId('card-goals');
  const rows = () =>
    card()
      .getByTestId('goal-row')
      .evaluateAll((all) => all.map((row) => ['goal-uniques', 'goal-total', 'goal-rate'].reduce((text, id) => `${text} ${row.querySelector(`[data-testid="${id}"]`).textContent}`, row.dataset.value)));
  const visitors = async () => Number(await page.getByTestId('kpi-visitors').getByTestId('kpi-value').getAttribute('data-value'));

  await step('goals: an admin adds page goals in the site’s settings; the Goals card counts the visits recorded before them', async () => {
    const from = utcDay(Date.now() - DAY);
    const to = utcDay(Date.now());
    const token = await t.adminToken();
    for (const pagePath of ['/', '/pricing']) {
      const added = await api('POST', '/api/goals/', { site_id: containerId, page_path: pagePath }, token);
      assert(added.status === 201 || added.status === 409, `goal ${pagePath}: ${added.status} ${added.text}`);
    }
    await page.goto(`${t.base}/sites/${containerId}?period=custom&from=${from}&to=${to}`);
    await page.getByRole('button', { name: 'Goals', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: /^Goals of / });
    await dialog.getByTestId('goal').filter({ hasText: 'Page visit /pricing' }).waitFor();
    await dialog.getByRole('radio', { name: 'Page visit' }).click();
    await dialog.getByLabel('Page path').fill('/about');
    await dialog.getByRole('button', { name: 'Add goal' }).click();
    await dialog.getByTestId('goal').filter({ hasText: 'Page visit /about' }).waitFor();
    await page.screenshot({ path: path.join(t.shots, 'site-goals-settings-light.png') });
    await page.keyboard.press('Escape');
    const expected = ['Visit / 4 4 80%', 'Visit /about 1 1 20%', 'Visit /pricing 1 1 20%'];
    await waitFor(async () => JSON.stringify(await rows()) === JSON.stringify(expected), { what: `the goals’ conversions: ${expected.join(', ')}` });
    await card().screenshot({ path: path.join(t.shots, 'site-goals-card-light.png') });
  });

  await step('goals: a goal’s row filters the whole page through the URL; its chip removes the filter', async () => {
    await card().getByRole('button', { name: 'Visit /about', exact: true }).click();
    await waitFor(async () => (await visitors()) === 1, { what: 'one visitor reached Visit /about' });
    const filters = new URL(page.url()).searchParams.getAll('f');
    assert(JSON.stringify(filters) === JSON.stringify(['is,event:goal,Visit /about']), `filters in the URL: ${filters}`);
    assert((await page.getByTestId('filter-chip').allTextContents()).join() === 'Goal is Visit /about', 'no chip for the goal');
    await page.getByRole('button', { name: 'Remove filter: Goal is Visit /about' }).click();
    await waitFor(async () => (await visitors()) === 5, { what: 'every visitor again' });
  });
}
