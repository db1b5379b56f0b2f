/**
 * A site's dashboard over a known set of visits: a site created in the UI with its time zone,
 * five visitors today and yesterday (from Google twice, Hacker News, a newsletter and directly;
 * one on an iPhone) and one three days ago, sent as the tracker sends them. The dashboard,
 * reached from the adaptor list, shows the figures counted by hand and their change from the
 * previous period; a source's row filters the whole page through the URL (Back and Forward
 * replay it) and its chip removes it; a card exports its breakdown as CSV; an admin shares the
 * site with a password and the link opens read-only in a fresh browser until it is revoked.
 * API keys made in Settings read the Stats API until revoked. Screenshots in light and dark
 * mode and at phone width. Returns the site's container id (null when it could not be made).
 */
import fs from 'node:fs';
import path from 'node:path';
import { axeViolations } from './accessibility.mjs';
import { DESKTOP_CHROME } from './demoSites.mjs';

const SCHEMA = 'e2e_web';
const SITE = 'https://web.example';
const NAME = 'Web demo';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const SHARE_PASSWORD = 'e2e-shared-secret';
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * Who visits, from where, with what, and when (minutes after the first page view; the previous
 * period's visitor days before). By hand, yesterday and today: 5 visitors, 5 visits, 7 page
 * views, 3 bounces (60%), 60 + 120 seconds over 5 visits (36 s). From Google: 2 visitors,
 * 3 page views, 1 bounce (50%), 30 s. The two days before: 1 visitor, 1 page view.
 */
const VISITORS = [
  { address: '81.2.69.142', agent: DESKTOP_CHROME, pages: [[0, '/', 'https://www.google.com/'], [1, '/pricing']] },
  { address: '8.8.8.8', agent: DESKTOP_CHROME, pages: [[0, '/blog', 'https://www.google.com/']] },
  { address: '85.214.132.117', agent: DESKTOP_CHROME, pages: [[0, '/', 'https://news.ycombinator.com/'], [2, '/about']] },
  { address: '217.159.128.1', agent: DESKTOP_CHROME, pages: [[0, '/?utm_source=newsletter&utm_medium=email']] },
  { address: '203.0.113.5', agent: SAFARI_IPHONE, pages: [[0, '/']] },
];
const EARLIER = { address: '203.0.113.9', agent: DESKTOP_CHROME, pages: [[0, '/']], daysAgo: 3 };

const utcDay = (ms) => new Date(ms).toISOString().slice(0, 10);

/**
 * `t` holds the runner's helpers: step, api, assert, waitFor, adminToken, launchBrowser, base,
 * page (the dashboard's tab, signed in as an admin) and shots (the screenshot directory).
 */
export async function siteDashboardChecks(t) {
  const { api, assert, waitFor, page } = t;
  let ready = false;
  const step = (name, fn) => t.step(name, async () => {
    assert(ready, 'not run: the demo site could not be set up');
    await fn();
  });
  let token;
  let containerId;
  let period;
  let sharedUrl;
  let browser;

  const shoot = (name) => page.screenshot({ path: path.join(t.shots, `${name}.png`), fullPage: true });
  const kpi = async (metric) => Number(await page.getByTestId(`kpi-${metric}`).getByTestId('kpi-value').getAttribute('data-value'));
  const kpis = async () => Object.fromEntries(await Promise.all(['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration'].map(async (m) => [m, await kpi(m)])));
  const expectKpis = (expected, what) => waitFor(async () => JSON.stringify(await kpis()) === JSON.stringify(expected), { what: `${what}: ${JSON.stringify(expected)}` });
  const filtersInUrl = () => new URL(page.url()).searchParams.getAll('f');
  const card = (id) => page.getByTestId(`card-${id}`);
  const theme = async (name) => {
    await page.evaluate((value) => window.localStorage.setItem('eventlens.theme', value), name);
    await page.reload();
    await page.getByTestId('kpi-visitors').getByTestId('kpi-value').waitFor();
  };

  // Visits minutes and days ago: only an admin's import counts events at their own time.
  const send = ({ address, agent, pages }, startMs) =>
    fetch(`${t.base}/api/events/import`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, 'User-Agent': agent, 'X-Forwarded-For': address },
      body: JSON.stringify({
        events: pages.map(([minute, pathname, referrer]) => ({
          event_id: crypto.randomUUID(),
          container_id: containerId,
          event_type: 'page_view',
          url: `${SITE}${pathname}`,
          referrer: referrer ?? null,
          screen_width: agent === SAFARI_IPHONE ? 390 : 1440,
          properties: {},
          timestamp: new Date(startMs + minute * MINUTE).toISOString(),
        })),
      }),
    });

  await t.step('site dashboard: a site created in the UI with its time zone, and a known set of visits', async () => {
    token = await t.adminToken();
    const schema = await api('POST', '/api/schemas/', { name: SCHEMA, description: 'A website measured by the tracker', properties: {} }, token);
    assert(schema.status === 201, `schema: ${schema.status} ${schema.text}`);
    await page.goto(`${t.base}/adaptors`);
    await page.getByRole('button', { name: 'New adaptor' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'New adaptor' });
    await dialog.getByLabel('Name', { exact: true }).fill(NAME);
    await dialog.getByLabel('Schema', { exact: true }).selectOption(SCHEMA);
    await dialog.getByLabel('Website URL', { exact: true }).fill(SITE);
    await dialog.getByLabel('Time zone', { exact: true }).selectOption('UTC');
    await dialog.getByRole('button', { name: 'Create adaptor' }).click();
    containerId = /CAP-[A-Z0-9]+/.exec(await page.getByTestId('snippet').textContent())?.[0];
    assert(containerId, 'no container id in the tag');
    await page.keyboard.press('Escape');
    const adaptor = await api('GET', `/api/adaptors/${containerId}`, undefined, token);
    assert(adaptor.json?.timezone === 'UTC', `the adaptor's time zone: ${adaptor.json?.timezone}`);

    const start = Date.now() - 20 * MINUTE;
    for (const [i, visitor] of VISITORS.entries()) {
      const sent = await send(visitor, start + i * 1_000);
      assert(sent.status === 202, `a visit answered ${sent.status}: ${await sent.text()}`);
    }
    const earlier = await send(EARLIER, Date.now() - EARLIER.daysAgo * DAY);
    assert(earlier.status === 202, `the earlier visit answered ${earlier.status}: ${await earlier.text()}`);
    // Yesterday and today (UTC, the site's zone): every visit above, whatever the time of day.
    const today = utcDay(Date.now());
    period = { from: utcDay(Date.now() - DAY), to: today };
    await waitFor(async () => {
      const answer = await api('POST', '/api/v2/query', { site_id: containerId, metrics: ['pageviews'], date_range: 'all' }, token);
      return answer.json?.results?.[0]?.metrics?.[0] === 8;
    }, { what: 'the 8 page views projected' });
    ready = true;
  });

  await step('site dashboard: reached from the adaptor list, it shows the period’s figures and their change from the one before', async () => {
    await page.goto(`${t.base}/adaptors`);
    await page.getByTestId('adaptor-row').filter({ hasText: containerId }).getByRole('link', { name: `Dashboard of ${NAME}`, exact: true }).click();
    await page.waitForURL(new RegExp(`/sites/${containerId}$`));
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    assert((await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sites' }).getAttribute('aria-current')) === 'page', 'Sites is not the current page in the navigation');
    await page.getByRole('button', { name: 'Custom' }).click();
    await page.getByLabel('From date').fill(period.from);
    await page.getByLabel('To date').fill(period.to);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL((url) => url.searchParams.get('period') === 'custom' && url.searchParams.get('from') === period.from && url.searchParams.get('to') === period.to);
    await expectKpis({ visitors: 5, visits: 5, pageviews: 7, bounce_rate: 60, visit_duration: 36 }, 'the period’s figures');
    const change = async (metric) => {
      const badge = page.getByTestId(`kpi-${metric}`).getByTestId('kpi-change');
      return `${await badge.getAttribute('data-change')} ${await badge.getAttribute('data-tone')}`;
    };
    // The two days before: 1 visitor, 1 visit, 1 page view, a bounce (100%).
    assert((await change('visitors')) === '400 good', `visitors' change: ${await change('visitors')}`);
    assert((await change('pageviews')) === '600 good', `page views' change: ${await change('pageviews')}`);
    assert((await change('bounce_rate')) === '-40 good', `bounce rate's change: ${await change('bounce_rate')}`);
    assert((await page.getByTestId('kpi-visit_duration').getByTestId('kpi-value').textContent()) === '36s', 'the visit duration is not written 36s');
    const current = page.getByTestId('current-visitors');
    // Every visitor above arrived within five minutes, the earlier one too.
    await waitFor(async () => (await current.getAttribute('data-value')) === '6', { what: '6 current visitors' });
    const graph = page.getByTestId('site-graph');
    assert((await graph.getAttribute('data-points')) === '2', `the graph has ${await graph.getAttribute('data-points')} days`);
    assert((await page.getByTestId('site-days').textContent()).length > 0, 'the period’s days are not shown');
  });

  await step('site dashboard: a source’s row filters the whole page through the URL; Back, Forward and its chip undo it', async () => {
    const sources = card('sources');
    await sources.getByRole('tab', { name: 'Sources' }).click();
    await sources.locator('[data-testid="breakdown-row"][data-value="Google"]').waitFor();
    const rows = await sources.getByTestId('breakdown-row').evaluateAll((all) => all.map((row) => `${row.dataset.value} ${row.querySelector('[data-testid="row-visitors"]').textContent}`));
    assert(JSON.stringify(rows) === JSON.stringify(['Google 2', 'Direct / None 1', 'Hacker News 1', 'newsletter 1']), `sources: ${rows.join(', ')}`);
    await sources.getByRole('button', { name: 'Google', exact: true }).click();
    await expectKpis({ visitors: 2, visits: 2, pageviews: 3, bounce_rate: 50, visit_duration: 30 }, 'the figures of visits from Google');
    assert(JSON.stringify(filtersInUrl()) === JSON.stringify(['is,visit:source,Google']), `filters in the URL: ${filtersInUrl()}`);
    assert((await page.getByTestId('filter-chip').allTextContents()).join() === 'Source is Google', 'no chip for the filter');
    const devices = card('devices');
    await waitFor(async () => (await devices.getByTestId('breakdown-row').count()) === 1 && (await devices.getByTestId('breakdown-row').getAttribute('data-value')) === 'Desktop', { what: 'only Desktop among the devices' });
    await shoot('site-filtered-light');
    await page.goBack();
    await expectKpis({ visitors: 5, visits: 5, pageviews: 7, bounce_rate: 60, visit_duration: 36 }, 'Back: every visit again');
    assert((await page.getByTestId('filter-chip').count()) === 0, 'Back left the chip');
    await page.goForward();
    await expectKpis({ visitors: 2, visits: 2, pageviews: 3, bounce_rate: 50, visit_duration: 30 }, 'Forward: visits from Google again');
    await page.getByRole('button', { name: 'Remove filter: Source is Google' }).click();
    await expectKpis({ visitors: 5, visits: 5, pageviews: 7, bounce_rate: 60, visit_duration: 36 }, 'the filter removed');
    assert(filtersInUrl().length === 0, `filters left in the URL: ${filtersInUrl()}`);
  });

  await step('site dashboard: a card exports its breakdown as CSV, with a header row', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), card('sources').getByRole('button', { name: 'Export Sources (Source) as CSV' }).click()]);
    const lines = fs.readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
    assert(download.suggestedFilename() === `${containerId}-sources-${period.from}-to-${period.to}.csv`, `file name ${download.suggestedFilename()}`);
    const expected = ['Source,Visitors,Share of visitors (%)', 'Google,2,40', 'Direct / None,1,20', 'Hacker News,1,20', 'newsletter,1,20'];
    assert(JSON.stringify(lines) === JSON.stringify(expected), `the CSV: ${lines.join(' | ')}`);
  });

  await step('site dashboard: an admin shares the site with a password; the link opens read-only in a fresh browser', async () => {
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: `Share ${NAME}` });
    await dialog.getByLabel('Name', { exact: true }).fill('For the team');
    await dialog.getByLabel('Password', { exact: true }).fill(SHARE_PASSWORD);
    await dialog.getByRole('button', { name: 'Create link' }).click();
    sharedUrl = await dialog.getByLabel('Shared link', { exact: true }).inputValue();
    assert(new RegExp(`^${t.base}/share#[A-Za-z0-9_-]{40,}$`).test(sharedUrl), `the link does not carry its token in the fragment: ${sharedUrl}`);
    await dialog.getByTestId('shared-link').filter({ hasText: 'For the team' }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(t.shots, 'site-share-light.png') });
    await page.keyboard.press('Escape');

    browser = await t.launchBrowser();
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
    context.setDefaultTimeout(15_000);
    const tab = await context.newPage();
    const [address, token] = sharedUrl.split('#');
    await tab.goto(`${address}?period=custom&from=${period.from}&to=${period.to}#${token}`);
    const password = tab.getByLabel('Password', { exact: true });
    await password.fill('not-the-password');
    await tab.getByRole('button', { name: 'Open dashboard' }).click();
    await tab.getByText('Wrong password.').waitFor();
    await password.fill(SHARE_PASSWORD);
    await tab.getByRole('button', { name: 'Open dashboard' }).click();
    await tab.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    const value = (metric) => tab.getByTestId(`kpi-${metric}`).getByTestId('kpi-value').getAttribute('data-value');
    await waitFor(async () => (await value('visitors')) === '5' && (await value('pageviews')) === '7', { what: '5 visitors and 7 page views on the shared dashboard' });
    // Asked over HTTP (a shared link's token opens no WebSocket); how many depends on how long ago the visits came.
    await waitFor(async () => /^\d+$/.test((await tab.getByTestId('current-visitors').getAttribute('data-value')) ?? ''), { what: 'current visitors on the shared dashboard' });
    assert((await tab.getByRole('navigation').count()) === 0, 'the shared page has a navigation');
    assert((await tab.getByRole('button', { name: 'Share' }).count()) === 0, 'the shared page offers to share');
    assert((await tab.getByRole('button', { name: 'Sign out' }).count()) === 0, 'the shared page offers to sign out');
    assert(new URL(tab.url()).hash === `#${token}`, 'the token left the fragment');
    await tab.waitForTimeout(500);
    await tab.screenshot({ path: path.join(t.shots, 'site-shared-light.png'), fullPage: true });
    await tab.evaluate(() => window.localStorage.setItem('eventlens.theme', 'dark'));
    await tab.reload();
    await tab.getByLabel('Password', { exact: true }).fill(SHARE_PASSWORD);
    await tab.getByRole('button', { name: 'Open dashboard' }).click();
    await waitFor(async () => (await value('visitors')) === '5', { what: 'the shared dashboard again' });
    await tab.waitForTimeout(500);
    await tab.screenshot({ path: path.join(t.shots, 'site-shared-dark.png'), fullPage: true });
    await context.close();
  });

  await step('site dashboard: a revoked link no longer opens', async () => {
    await page.getByRole('button', { name: 'Share' }).click();
    const dialog = page.getByRole('dialog', { name: `Share ${NAME}` });
    const link = dialog.getByTestId('shared-link').filter({ hasText: 'For the team' });
    await link.getByRole('button', { name: 'Revoke For the team' }).click();
    await link.getByRole('button', { name: 'Revoke', exact: true }).click();
    await dialog.getByText('No shared links yet').waitFor();
    await page.keyboard.press('Escape');
    const context = await browser.newContext({ viewport: DESKTOP });
    const tab = await context.newPage();
    await tab.goto(sharedUrl);
    await tab.getByText('This link does not work').waitFor({ timeout: 15_000 });
    await context.close();
  });

  await step('site dashboard: an admin sets up an alert rule, edits it, and the e-mail report in their dialog, which passes axe', async () => {
    await page.getByRole('button', { name: 'Alerts & reports' }).click();
    const dialog = page.getByRole('dialog', { name: `Alerts and reports of ${NAME}` });
    await dialog.getByText('No alert rules yet').waitFor();
    await dialog.getByLabel('When').selectOption('bots');
    await dialog.getByLabel('Bot events today (UTC)').fill('500');
    await dialog.getByLabel('E-mail to').fill('ops@web.example');
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    const rule = dialog.getByTestId('alert-rule');
    await rule.filter({ hasText: 'ops@web.example' }).waitFor();
    assert((await rule.textContent()).includes('threshold 500'), 'the rule lists its threshold');
    await rule.getByRole('button', { name: /^Edit / }).click();
    const edit = dialog.getByRole('form', { name: /^Edit / });
    await edit.getByLabel('Bot events today (UTC)').fill('700');
    const editing = await axeViolations(page);
    assert(editing.length === 0, `axe on a rule being edited: ${editing.slice(0, 3).join('; ')}`);
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await rule.filter({ hasText: 'threshold 700' }).waitFor();
    const { json: rules } = await api('GET', `/api/alerts/?site_id=${containerId}`, undefined, token);
    assert(rules.length === 1 && rules[0].settings.threshold === 700, `the rule was changed to ${JSON.stringify(rules)}`);
    await dialog.getByLabel('Report', { exact: true }).selectOption('monthly');
    await dialog.getByLabel('Recipients').fill('ann@web.example');
    await dialog.getByRole('button', { name: 'Save report' }).click();
    await page.getByText('E-mail report saved').first().waitFor();
    const { json: report } = await api('GET', `/api/adaptors/${containerId}/email-report`, undefined, token);
    assert(report.period === 'monthly' && report.recipients.join() === 'ann@web.example', `the report was saved as ${JSON.stringify(report)}`);
    const violations = await axeViolations(page);
    assert(violations.length === 0, `axe on the alerts dialog: ${violations.slice(0, 3).join('; ')}`);
    await page.screenshot({ path: path.join(t.shots, 'site-alerts-dialog.png') });
    await rule.getByRole('button', { name: /^Delete / }).click();
    await rule.getByRole('button', { name: 'Delete', exact: true }).click();
    await dialog.getByText('No alert rules yet').waitFor();
    await page.keyboard.press('Escape');
  });

  await step('site dashboard: screenshots in light and dark mode and at phone width', async () => {
    await page.goto(`${t.base}/sites/${containerId}?period=custom&from=${period.from}&to=${period.to}`);
    for (const name of ['light', 'dark']) {
      await theme(name);
      await expectKpis({ visitors: 5, visits: 5, pageviews: 7, bounce_rate: 60, visit_duration: 36 }, `the figures in ${name} mode`);
      await page.waitForTimeout(500);
      await shoot(`site-${name}`);
      await page.setViewportSize(PHONE);
      await page.waitForTimeout(500);
      const overflow = await page.evaluate(() => window.document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, `the site dashboard is ${overflow} px wider than the phone`);
      await shoot(`site-phone-${name}`);
      await page.setViewportSize(DESKTOP);
    }
    await theme('light');
    await page.goto(`${t.base}/sites`);
    await page.locator(`[data-testid="site-link"][href="/sites/${containerId}"]`).waitFor();
    await shoot('sites-light');
  });

  await step('settings: an API key made in the UI reads the Stats API, and once revoked it is refused', async () => {
    await page.goto(`${t.base}/settings`);
    await page.getByRole('button', { name: 'New API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API key' });
    await dialog.getByLabel('Name', { exact: true }).fill('E2E report');
    await dialog.getByRole('button', { name: 'Create key' }).click();
    const key = await page.getByLabel('API key', { exact: true }).inputValue();
    assert(/^el_[A-Za-z0-9_-]{40,}$/.test(key), `the key shown: ${key}`);
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(t.shots, 'settings-api-key-light.png') });
    await page.getByRole('button', { name: 'Done' }).click();
    const listed = page.getByTestId('api-key').filter({ hasText: 'E2E report' });
    await listed.waitFor();
    assert(!(await listed.textContent()).includes(key), 'the list shows the whole key');
    const ask = () => api('POST', '/api/v2/query', { site_id: containerId, metrics: ['visitors'], date_range: [period.from, period.to] }, key);
    const answer = await ask();
    assert(answer.status === 200 && answer.json.results[0].metrics[0] === 5, `the key's query answered ${answer.status}: ${answer.text}`);
    await listed.getByRole('button', { name: 'Revoke E2E report' }).click();
    await page.getByRole('dialog', { name: 'Revoke E2E report?' }).getByRole('button', { name: 'Revoke key' }).click();
    await listed.waitFor({ state: 'detached' });
    await waitFor(async () => (await ask()).status === 401, { what: 'the revoked key refused' });
  });
  return { containerId };
}
