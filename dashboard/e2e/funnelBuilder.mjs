/**
 * The funnel builder in Chromium, on the site dashboard's known visits (siteDashboard.mjs):
 * yesterday and today, four visitors landed on `/` (from Google, Hacker News, a newsletter
 * and an iPhone) and one of them went on to `/pricing`. With the goals `Visit /` and
 * `Visit /pricing` added, an admin builds that funnel in the UI: 4 visitors, then 1 (25 %),
 * 3 dropped off (75 %). The funnel is saved and listed; its drop-off opens the site's
 * dashboard filtered to the 3 visitors who reached `/` and not `/pricing`. The retention card
 * says it counts identified users only. axe finds nothing on either card, light and dark.
 * The page's filters narrow the funnel (desktop visits only: 3, then 1), and broken down by
 * device it shows Desktop 3 then 1 (33.33 %) and Mobile 1 then 0, readable at phone width;
 * Mobile's name filters the page (and the funnel: 1, then 0).
 * An admin sets the site's data retention in its dialog (after a confirmation that older
 * events will be removed), the API has it, axe finds nothing, and it is cleared again.
 * Screenshots in light mode.
 */
import path from 'node:path';
import { axeViolations } from './accessibility.mjs';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/** `t` holds the runner's helpers (as siteDashboard.mjs takes them) and `containerId`, the web demo site. */
export async function funnelBuilderChecks(t) {
  const { api, assert, waitFor, page } = t;
  const step = (name, fn) => t.step(name, async () => {
    assert(t.containerId, 'not run: the web demo site could not be set up');
    await fn();
  });
  const from = utcDay(Date.now() - DAY);
  const to = utcDay(Date.now());
  const card = () => page.getByTestId('funnels');
  const texts = (testId) => card().getByTestId(testId).allTextContents();

  await step('funnels: an admin builds a funnel from the site’s goals; its chart shows each step’s visitors, conversion and drop-off', async () => {
    const token = await t.adminToken();
    for (const pagePath of ['/', '/pricing']) {
      const added = await api('POST', '/api/goals/', { site_id: t.containerId, page_path: pagePath }, token);
      // 409: another check added it first.
      assert(added.status === 201 || added.status === 409, `goal ${pagePath}: ${added.status} ${added.text}`);
    }
    await page.goto(`${t.base}/sites/${t.containerId}?period=custom&from=${from}&to=${to}`);
    const builder = card().getByRole('form', { name: 'Funnel builder' });
    await builder.getByLabel('Step 1', { exact: true }).selectOption('Visit /');
    await builder.getByLabel('Step 2', { exact: true }).selectOption('Visit /pricing');
    await builder.getByLabel('Window', { exact: true }).selectOption('visit');
    await waitFor(async () => JSON.stringify(await texts('funnel-visitors')) === JSON.stringify(['4', '1']), { what: 'visitors 4 then 1' });
    const conversions = await texts('funnel-conversion');
    assert(JSON.stringify(conversions) === JSON.stringify(['100%', '25%']), `conversions: ${conversions}`);
    const dropoffs = await texts('funnel-dropoff');
    assert(JSON.stringify(dropoffs) === JSON.stringify(['3 dropped off (75%)']), `drop-offs: ${dropoffs}`);

    await builder.getByLabel('Funnel name', { exact: true }).fill('Home to pricing');
    await builder.getByRole('button', { name: 'Save funnel' }).click();
    await card().getByRole('list', { name: 'Saved funnels' }).getByRole('button', { name: 'Home to pricing', exact: true }).waitFor();
    const saved = await api('GET', `/api/funnels/?site_id=${t.containerId}`, undefined, token);
    assert(saved.json?.length === 1 && JSON.stringify(saved.json[0].steps) === JSON.stringify(['Visit /', 'Visit /pricing']), `saved: ${saved.text}`);
    await page.getByTestId('retention').getByText('Identified users only').waitFor();
    await card().scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await card().screenshot({ path: path.join(t.shots, 'site-funnel-light.png') });
    await page.getByTestId('retention').screenshot({ path: path.join(t.shots, 'site-retention-light.png') });
  });

  await step('funnels: axe finds nothing on the funnel chart and the retention card, light and dark', async () => {
    for (const theme of ['light', 'dark']) {
      await page.evaluate((value) => window.localStorage.setItem('eventlens.theme', value), theme);
      await page.reload();
      const builder = card().getByRole('form', { name: 'Funnel builder' });
      await builder.getByLabel('Step 1', { exact: true }).selectOption('Visit /');
      await builder.getByLabel('Step 2', { exact: true }).selectOption('Visit /pricing');
      await card().getByTestId('funnel-dropoff').waitFor();
      await page.getByTestId('retention').getByText('Identified users only').waitFor();
      const found = await axeViolations(page);
      assert(found.length === 0, `axe (${theme}): ${found.slice(0, 10).join(' | ')}`);
    }
    await page.evaluate(() => window.localStorage.setItem('eventlens.theme', 'light'));
    await page.reload();
    const builder = card().getByRole('form', { name: 'Funnel builder' });
    await builder.getByLabel('Step 1', { exact: true }).selectOption('Visit /');
    await builder.getByLabel('Step 2', { exact: true }).selectOption('Visit /pricing');
    await card().getByTestId('funnel-dropoff').waitFor();
  });

  await step('funnels: a drop-off opens the dashboard filtered to the visitors who reached a step and not the next', async () => {
    await card().getByTestId('funnel-dropoff').click();
    await page.waitForURL((url) => url.searchParams.getAll('f').length === 2);
    const filters = new URL(page.url()).searchParams.getAll('f');
    assert(JSON.stringify(filters) === JSON.stringify(['has_done,event:goal,Visit /', 'has_not_done,event:goal,Visit /pricing']), `filters: ${filters}`);
    const chips = await page.getByTestId('filter-chip').allTextContents();
    assert(JSON.stringify(chips) === JSON.stringify(['Reached Visit /', 'Did not reach Visit /pricing']), `chips: ${chips}`);
    const visitors = page.getByTestId('kpi-visitors').getByTestId('kpi-value');
    await waitFor(async () => (await visitors.getAttribute('data-value')) === '3', { what: '3 visitors dropped off' });
  });

  await step('funnels: the page’s filters narrow the funnel, and a breakdown by device shows each device’s steps (axe, dark, phone width)', async () => {
    const choose = async () => {
      const builder = card().getByRole('form', { name: 'Funnel builder' });
      await builder.getByLabel('Step 1', { exact: true }).selectOption('Visit /');
      await builder.getByLabel('Step 2', { exact: true }).selectOption('Visit /pricing');
      return builder;
    };
    await page.goto(`${t.base}/sites/${t.containerId}?period=custom&from=${from}&to=${to}&f=${encodeURIComponent('is,visit:device,Desktop')}`);
    await choose();
    await waitFor(async () => JSON.stringify(await texts('funnel-visitors')) === JSON.stringify(['3', '1']), { what: 'desktop visitors 3 then 1' });
    const said = await card().getByTestId('funnel-filters').textContent();
    assert(said.includes('Device is Desktop'), `filters line: ${said}`);

    await page.goto(`${t.base}/sites/${t.containerId}?period=custom&from=${from}&to=${to}`);
    const builder = await choose();
    await waitFor(async () => JSON.stringify(await texts('funnel-visitors')) === JSON.stringify(['4', '1']), { what: 'visitors 4 then 1 without filters' });
    await builder.getByLabel('Break down by', { exact: true }).selectOption('Device');
    const rows = () => card().getByTestId('funnel-breakdown').getByTestId('funnel-group');
    const table = async () => Promise.all((await rows().all()).map(async (row) => [await row.getAttribute('data-value'), ...(await row.getByRole('cell').allTextContents())]));
    const expected = [['Desktop', '3 (100%)', '1 (33.33%)'], ['Mobile', '1 (100%)', '0 (0%)']];
    await waitFor(async () => JSON.stringify(await table()) === JSON.stringify(expected), { what: `breakdown ${JSON.stringify(expected)}` });

    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.evaluate(() => window.localStorage.setItem('eventlens.theme', 'dark'));
      await page.reload();
      await (await choose()).getByLabel('Break down by', { exact: true }).selectOption('Device');
      await waitFor(async () => JSON.stringify(await table()) === JSON.stringify(expected), { what: 'the breakdown again, dark, at phone width' });
      const found = await axeViolations(page);
      assert(found.length === 0, `axe (breakdown, dark, phone): ${found.slice(0, 10).join(' | ')}`);
      const region = card().getByRole('region', { name: 'Funnel by device' });
      await region.scrollIntoViewIfNeeded();
      await region.screenshot({ path: path.join(t.shots, 'site-funnel-breakdown-phone-dark.png') });
    } finally {
      await page.evaluate(() => window.localStorage.setItem('eventlens.theme', 'light'));
      await page.setViewportSize({ width: 1440, height: 900 });
    }

    // A value's name filters the whole page by it, the funnel included.
    await page.reload();
    await (await choose()).getByLabel('Break down by', { exact: true }).selectOption('Device');
    await card().getByTestId('funnel-breakdown').getByRole('link', { name: 'Mobile', exact: true }).click();
    await page.waitForURL((url) => url.searchParams.getAll('f').includes('is,visit:device,Mobile'));
    await waitFor(async () => JSON.stringify(await texts('funnel-visitors')) === JSON.stringify(['1', '0']), { what: 'mobile visitors 1 then 0' });
    const chips = await page.getByTestId('filter-chip').allTextContents();
    assert(JSON.stringify(chips) === JSON.stringify(['Device is Mobile']), `chips: ${chips}`);
  });

  await step('retention: an admin sets the site’s data retention after a confirmation, the API has it, and clears it', async () => {
    const token = await t.adminToken();
    const period = async () => (await api('GET', `/api/adaptors/${t.containerId}/retention`, undefined, token)).json?.days;
    await page.goto(`${t.base}/sites/${t.containerId}?period=custom&from=${from}&to=${to}`);
    await page.getByRole('button', { name: 'Data retention' }).click();
    const dialog = page.getByRole('dialog', { name: /^Data retention of / });
    await dialog.getByTestId('retention-current').getByText('Kept forever').waitFor();
    const days = dialog.getByLabel('Keep events for (days)', { exact: true });
    await days.fill('0');
    await dialog.getByRole('button', { name: 'Set period' }).click();
    await dialog.getByRole('alert').getByText('from 1 to 3650').waitFor();
    await days.fill('3650');
    await dialog.getByRole('button', { name: 'Set period' }).click();
    const confirm = dialog.getByRole('group', { name: 'Confirm the retention period' });
    await confirm.getByText('Older events will be removed', { exact: false }).waitFor();
    const found = await axeViolations(page);
    assert(found.length === 0, `axe (retention dialog): ${found.slice(0, 10).join(' | ')}`);
    await dialog.screenshot({ path: path.join(t.shots, 'site-retention-dialog.png') });
    assert((await period()) === null, 'the period was set before it was confirmed');
    await confirm.getByRole('button', { name: 'Remove older events' }).click();
    await dialog.getByTestId('retention-current').getByText('Kept for 3,650 days').waitFor();
    assert((await period()) === 3650, `the API says ${await period()}`);
    await dialog.getByRole('button', { name: 'Keep forever' }).click();
    await dialog.getByTestId('retention-current').getByText('Kept forever').waitFor();
    assert((await period()) === null, `the API says ${await period()} after clearing`);
    await page.keyboard.press('Escape');
  });
}
