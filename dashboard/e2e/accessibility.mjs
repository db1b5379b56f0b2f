/**
 * The dashboard for everyone. axe-core (WCAG 2.0 and 2.1, A and AA, and its best practices) on
 * every page and every dialog, in light and dark mode, at desktop and phone width; a journey by
 * keyboard alone (sign in, change the range, filter, open and close each dialog, focus back on
 * what opened it); and what a cold overview costs on a four times slower CPU (reported, not
 * asserted: docs/BENCHMARKS.md).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };
const THEMES = ['light', 'dark'];

/** axe's violations on what `page` shows now, as `rule: target` lines. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: a page's Content-Security-Policy does not apply.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const result = await window.axe.run(window.document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => [n.target.join(' '), (n.failureSummary ?? '').split('\n').slice(1, 2).join('').trim()]) }));
  }, AXE_TAGS);
  return violations.flatMap((v) => v.targets.map(([target, why]) => `${v.id}: ${target}${why ? ` (${why})` : ''}`));
}

async function settle(page) {
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
  await page.waitForTimeout(250);
}

/** Saves the theme as the switch does; the next page loaded shows it. */
async function saveTheme(page, theme) {
  await page.evaluate((t) => localStorage.setItem('eventlens.theme', t), theme);
}

/**
 * Runs axe over `views` in both themes at both widths. A view: { name, url, ready(page),
 * open?(page) → the dialog's locator, phoneOnly?, desktopOnly? }. Returns every violation as
 * `view theme width: rule: target`.
 */
export async function auditViews(page, base, views, shots = null) {
  const found = [];
  for (const theme of THEMES) {
    await page.goto(base + '/login').catch(() => undefined);
    await saveTheme(page, theme);
    for (const [width, size] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      await page.setViewportSize(size);
      for (const view of views) {
        if ((view.phoneOnly && width !== 'phone') || (view.desktopOnly && width !== 'desktop')) continue;
        try {
          await page.goto(base + view.url);
          await view.ready(page);
          const dialog = view.open ? await view.open(page) : null;
          await settle(page);
          for (const line of await axeViolations(page)) found.push(`${view.name} ${theme} ${width}: ${line}`);
          const overflow = await page.evaluate(() => window.document.documentElement.scrollWidth - window.innerWidth);
          if (overflow > 0) found.push(`${view.name} ${theme} ${width}: the page is ${overflow} px wider than the window`);
          if (dialog) {
            await page.keyboard.press('Escape');
            await dialog.waitFor({ state: 'detached' });
          }
        } catch (error) {
          if (shots) await page.screenshot({ path: path.join(shots, `FAILED-axe-${view.name.replace(/\W+/g, '-')}-${theme}-${width}.png`) }).catch(() => undefined);
          found.push(`${view.name} ${theme} ${width}: not shown at ${page.url()}: ${error.message.split('\n')[0]}`);
        }
      }
    }
  }
  await page.setViewportSize(DESKTOP);
  await saveTheme(page, 'light');
  return found;
}

/** The first violations for the summary; all of them in `axe-<step>.txt` beside the screenshots. */
function report(found, shots, file) {
  const lines = [...new Set(found)];
  if (shots) fs.writeFileSync(path.join(shots, `axe-${file}.txt`), `${lines.join('\n')}\n`);
  return `${lines.length} violations (all in axe-${file}.txt):\n${lines.slice(0, 25).join('\n')}`;
}

/** What has focus: its role, name, and whether it is inside `selector`. */
async function focused(page, selector = null) {
  return page.evaluate((inside) => {
    const el = window.document.activeElement;
    if (!el || el === window.document.body) return { tag: 'body', name: '', inside: false };
    return {
      tag: el.tagName.toLowerCase(),
      name: (el.getAttribute('aria-label') || el.textContent || '').trim().slice(0, 60),
      inside: inside ? !!el.closest(inside) : false,
      testId: el.getAttribute('data-testid'),
    };
  }, selector);
}

/** Presses Tab (at most `limit` times) until `locator` has focus: it is reachable by keyboard. */
export async function tabTo(page, locator, { limit = 60, backwards = false } = {}) {
  const handle = await locator.elementHandle();
  for (let i = 0; i < limit; i += 1) {
    if (await handle.evaluate((el) => el === window.document.activeElement)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${await handle.evaluate((el) => el.outerHTML.slice(0, 120))} was not reached in ${limit} presses of Tab`);
}

/**
 * Opens a dialog from `opener` by keyboard and checks the dialog primitive's promises: focus
 * inside, Tab and Shift+Tab stay inside, Escape closes, focus returns to the opener.
 */
export async function dialogByKeyboard(page, opener, name, assert, { initial } = {}) {
  await tabTo(page, opener);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name });
  await dialog.waitFor();
  await page.waitForTimeout(100);
  const start = await focused(page, '[role="dialog"]');
  assert(start.inside, `${name}: focus is not in the dialog but on ${start.tag} "${start.name}"`);
  if (initial) assert(start.name === initial, `${name}: focus starts on "${start.name}", not "${initial}"`);
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    const now = await focused(page, '[role="dialog"]');
    assert(now.inside, `${name}: ${key} left the dialog for ${now.tag} "${now.name}"`);
  }
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert(await opener.evaluate((el) => el === window.document.activeElement), `${name}: after Escape focus is on ${(await focused(page)).tag} "${(await focused(page)).name}", not its opener`);
}

/**
 * `t`: the runner's helpers (step, assert, waitFor, api, adminToken, launchBrowser, base, page,
 * shots) and what earlier checks made: schema (a schema name), containerId (a site with
 * visits), adminPassword.
 */
export async function accessibilityChecks(t) {
  const { step, assert, waitFor, base, page } = t;
  const heading = (name) => (p) => p.getByRole('heading', { name, exact: true, level: 1 }).waitFor();
  const h1 = (p) => p.getByRole('heading', { level: 1 }).first().waitFor();
  const dialog = (button, name) => async (p) => {
    await p.getByRole('button', { name: button }).first().click();
    const d = p.getByRole('dialog', { name });
    await d.waitFor();
    return d;
  };

  await step('accessibility: axe finds nothing on any signed-in page, light and dark, desktop and phone', async () => {
    const found = await auditViews(page, base, [
      { name: 'overview', url: '/', ready: async (p) => p.getByTestId('stat-totalEvents').getByTestId('stat-value').waitFor() },
      { name: 'sites', url: '/sites', ready: heading('Sites') },
      { name: 'site', url: `/sites/${t.containerId}`, ready: async (p) => p.getByTestId('kpi-visitors').waitFor() },
      { name: 'events', url: '/events', ready: async (p) => p.getByTestId('event-row').first().waitFor() },
      { name: 'schemas', url: '/schemas', ready: heading('Schemas') },
      { name: 'schema', url: `/schemas/${t.schema}`, ready: async (p) => p.getByTestId('event-types').waitFor() },
      { name: 'adaptors', url: '/adaptors', ready: async (p) => p.getByTestId('adaptor-row').first().waitFor() },
      { name: 'pipeline', url: '/pipeline', ready: async (p) => p.getByTestId('rejected-events').waitFor() },
      { name: 'settings', url: '/settings', ready: heading('Settings') },
      { name: 'not found', url: '/no-such-page', ready: h1 },
      {
        name: 'navigation menu',
        url: '/',
        phoneOnly: true,
        ready: heading('Overview'),
        open: async (p) => {
          await p.getByRole('button', { name: 'Open navigation' }).click();
          const d = p.getByRole('dialog', { name: 'Navigation' });
          await d.waitFor();
          return d;
        },
      },
    ], t.shots);
    assert(found.length === 0, report(found, t.shots, 'pages'));
  });

  await step('accessibility: axe finds nothing in any dialog, light and dark, desktop and phone', async () => {
    const found = await auditViews(page, base, [
      { name: 'new schema', url: '/schemas', ready: heading('Schemas'), open: dialog('New schema', 'New schema') },
      { name: 'edit schema', url: `/schemas/${t.schema}`, ready: async (p) => p.getByTestId('event-types').waitFor(), open: dialog('Edit', `Edit ${t.schema}`) },
      { name: 'retire schema', url: `/schemas/${t.schema}`, ready: async (p) => p.getByTestId('event-types').waitFor(), open: dialog('Retire', /^Retire/) },
      { name: 'new adaptor', url: '/adaptors', ready: heading('Adaptors'), open: dialog('New adaptor', 'New adaptor') },
      { name: 'edit adaptor', url: '/adaptors', ready: async (p) => p.getByTestId('adaptor-row').first().waitFor(), open: dialog(/^Edit /, /^Edit /) },
      { name: 'snippet', url: '/adaptors', ready: async (p) => p.getByTestId('adaptor-row').first().waitFor(), open: dialog('Snippet', /^Snippet for/) },
      { name: 'disable adaptor', url: '/adaptors', ready: async (p) => p.getByTestId('adaptor-row').first().waitFor(), open: dialog(/^Disable /, /^Disable/) },
      {
        name: 'event drawer',
        url: '/events',
        ready: async (p) => p.getByTestId('event-row').first().waitFor(),
        open: async (p) => {
          await p.getByTestId('event-row').first().getByRole('button').first().click();
          const d = p.getByRole('dialog');
          await d.getByText('Full event').waitFor();
          return d;
        },
      },
      {
        name: 're-process',
        url: '/pipeline',
        ready: async (p) => p.getByTestId('rejected-events').waitFor(),
        open: async (p) => {
          const reprocess = p.getByRole('button', { name: /^Re-process/ });
          if (!(await reprocess.isEnabled())) return null; // nothing waits to be re-processed
          return dialog(/^Re-process/, /Re-process/)(p);
        },
      },
      { name: 'add user', url: '/settings', ready: heading('Settings'), open: dialog('Add user', 'Add a user') },
      { name: 'new API key', url: '/settings', ready: heading('Settings'), open: dialog('New API key', 'New API key') },
      { name: 'share site', url: `/sites/${t.containerId}`, ready: async (p) => p.getByTestId('kpi-visitors').waitFor(), open: dialog('Share', /^Share /) },
      { name: 'site goals', url: `/sites/${t.containerId}`, ready: async (p) => p.getByTestId('kpi-visitors').waitFor(), open: dialog(/^Goals$/, /^Goals of /) },
      { name: 'site data retention', url: `/sites/${t.containerId}`, ready: async (p) => p.getByTestId('kpi-visitors').waitFor(), open: dialog('Data retention', /^Data retention of /) },
      {
        name: 'breakdown details',
        url: `/sites/${t.containerId}`,
        ready: async (p) => p.getByTestId('kpi-visitors').waitFor(),
        desktopOnly: true,
        open: async (p) => {
          const details = p.getByRole('button', { name: /^Details: every page/ }).first();
          if (!(await details.isEnabled())) return null; // every row is shown already
          await details.click();
          const d = p.getByRole('dialog');
          await d.waitFor();
          return d;
        },
      },
    ], t.shots);
    assert(found.length === 0, report(found, t.shots, 'dialogs'));
  });

  await step('accessibility: axe finds nothing on the sign-in page and a shared dashboard (signed out)', async () => {
    const browser = await t.launchBrowser();
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' });
    const tab = await context.newPage();
    const token = await t.adminToken();
    // Two links: the password prompt is only looked at (password checks are throttled), and the
    // dashboard opens through a link without one.
    const link = async (body) => {
      const made = await t.api('POST', `/api/adaptors/${t.containerId}/shared-links`, body, token);
      assert(made.status === 201, `making a shared link answered ${made.status}: ${made.text}`);
      return `#${made.json.token}`;
    };
    const withPassword = await link({ name: 'Accessibility, with a password', password: 'a11y-secret-pass' });
    const open = await link({ name: 'Accessibility' });
    const found = await auditViews(tab, base, [
      { name: 'sign-in', url: '/login', ready: async (p) => p.getByLabel('Username', { exact: true }).waitFor() },
      {
        name: 'sign-in error',
        url: '/login',
        ready: async (p) => {
          await p.getByLabel('Username', { exact: true }).fill('nobody');
          await p.getByLabel('Password', { exact: true }).fill('wrong-password');
          await p.getByRole('button', { name: 'Sign in' }).click();
          await p.getByTestId('login-error').waitFor();
        },
      },
      { name: 'shared link password', url: `/share${withPassword}`, ready: async (p) => p.getByLabel('Password', { exact: true }).waitFor() },
      { name: 'shared dashboard', url: `/share${open}`, ready: async (p) => p.getByTestId('kpi-visitors').waitFor() },
      { name: 'shared link that does not work', url: '/share#not-a-token', ready: async (p) => p.getByRole('heading', { level: 1, name: 'This link does not work' }).waitFor() },
      { name: 'shared link without its token', url: '/share', ready: async (p) => p.getByRole('heading', { level: 1, name: 'This link is incomplete' }).waitFor() },
    ], t.shots);
    await context.close();
    assert(found.length === 0, report(found, t.shots, 'signed-out'));
  });

  await step('keyboard only: sign in, change the range, filter, open and close every dialog', async () => {
    const browser = await t.launchBrowser();
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC', reducedMotion: 'reduce' });
    const tab = await context.newPage();
    const kb = tab.keyboard;
    const activeIs = (locator) => locator.evaluate((el) => el === window.document.activeElement);
    try {
      await tab.goto(base + '/');
      await tab.waitForURL(/\/login$/);
      await waitFor(async () => (await tab.title()).startsWith('Sign in'), { what: 'the sign-in page titled "Sign in"' });
      await tabTo(tab, tab.getByLabel('Username', { exact: true }));
      await kb.type('admin');
      await kb.press('Tab');
      await kb.type(t.adminPassword);
      await kb.press('Enter');
      const overview = tab.getByRole('heading', { name: 'Overview', exact: true, level: 1 });
      await overview.waitFor();
      await waitFor(async () => (await tab.title()).startsWith('Overview'), { what: 'the overview titled "Overview"' });
      await waitFor(() => activeIs(overview), { what: 'focus on the Overview heading after signing in' });

      // The range: one tab stop, arrow keys move and choose.
      const range = tab.getByRole('radiogroup', { name: 'Time range' });
      const checked = range.locator('[aria-checked="true"]');
      await tabTo(tab, checked);
      const before = await checked.textContent();
      await kb.press('ArrowRight');
      await waitFor(async () => (await checked.textContent()) !== before, { what: 'ArrowRight to choose the next range' });
      assert(await activeIs(checked), 'focus did not follow the chosen range');
      await tab.waitForURL(/range=/);

      // A select: arrow keys browse, Enter applies.
      const type = tab.getByLabel('Event type', { exact: true });
      await tabTo(tab, type);
      const url = tab.url();
      await kb.press('ArrowDown');
      await tab.waitForTimeout(400);
      assert(tab.url() === url, `ArrowDown on the event type applied it: ${tab.url()}`);
      await kb.press('Enter');
      await tab.waitForURL(/type=/);
      const clear = tab.getByRole('button', { name: 'Clear', exact: true });
      await tabTo(tab, clear);
      await kb.press('Enter');
      await waitFor(async () => !tab.url().includes('type='), { what: 'the filter to clear' });
      const afterClear = await focused(tab);
      assert(afterClear.tag !== 'body', 'Clear dropped focus to the page');

      // Navigation: the page's heading takes focus and names the tab.
      await tabTo(tab, tab.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schemas', exact: true }), { backwards: true, limit: 80 });
      await kb.press('Enter');
      const schemas = tab.getByRole('heading', { name: 'Schemas', exact: true, level: 1 });
      await waitFor(() => activeIs(schemas), { what: 'focus on the Schemas heading' });
      await waitFor(async () => (await tab.title()).startsWith('Schemas'), { what: 'the schemas page titled "Schemas"' });
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'New schema' }).first(), 'New schema', assert);

      await tab.goto(`${base}/schemas/${t.schema}`);
      await tab.getByTestId('event-types').waitFor();
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'Edit', exact: true }), `Edit ${t.schema}`, assert);
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'Retire' }), /^Retire/, assert, { initial: 'Cancel' });

      await tab.goto(`${base}/adaptors`);
      await tab.getByTestId('adaptor-row').first().waitFor();
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'New adaptor' }).first(), 'New adaptor', assert);
      await dialogByKeyboard(tab, tab.getByRole('button', { name: /^Edit / }).first(), /^Edit /, assert);
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'Snippet' }).first(), /^Snippet for/, assert);
      await dialogByKeyboard(tab, tab.getByRole('button', { name: /^Disable / }).first(), /^Disable/, assert, { initial: 'Cancel' });

      await tab.goto(`${base}/events`);
      await tab.getByTestId('event-row').first().waitFor();
      await dialogByKeyboard(tab, tab.getByTestId('event-row').first().getByRole('button').first(), /./, assert);

      await tab.goto(`${base}/pipeline`);
      await tab.getByTestId('rejected-events').waitFor();
      const reprocess = tab.getByRole('button', { name: /^Re-process/ });
      if (await reprocess.isEnabled()) await dialogByKeyboard(tab, reprocess, /Re-process/, assert, { initial: 'Cancel' });

      await tab.goto(`${base}/settings`);
      await tab.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'Add user' }), 'Add a user', assert);
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'New API key' }), 'New API key', assert);

      await tab.goto(`${base}/sites/${t.containerId}`);
      await tab.getByTestId('kpi-visitors').waitFor();
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'Share' }), /^Share /, assert);

      // At phone width the menu is a modal dialog too.
      await tab.setViewportSize(PHONE);
      await tab.goto(`${base}/`);
      await overview.waitFor();
      await dialogByKeyboard(tab, tab.getByRole('button', { name: 'Open navigation' }), 'Navigation', assert);
      await tabTo(tab, tab.getByRole('button', { name: 'Open navigation' }));
      await kb.press('Enter');
      const menu = tab.getByRole('dialog', { name: 'Navigation' });
      await tabTo(tab, menu.getByRole('link', { name: 'Events', exact: true }));
      await kb.press('Enter');
      const events = tab.getByRole('heading', { name: 'Events', exact: true, level: 1 });
      await waitFor(() => activeIs(events), { what: 'focus on the Events heading after the menu closed' });
    } catch (error) {
      await tab.screenshot({ path: path.join(t.shots, 'FAILED-keyboard.png') }).catch(() => undefined);
      throw error;
    } finally {
      await context.close();
    }
  });
}

/**
 * A cold overview on a four times slower CPU: from navigation to its figures shown, and what it
 * downloaded. Reported for docs/BENCHMARKS.md; the budgets are checked on dist/.
 */
export async function coldOverviewFigures(t) {
  const { base, log } = t;
  const browser = await t.launchBrowser();
  const runs = [];
  for (let run = 0; run < 3; run += 1) {
    const context = await browser.newContext({ viewport: DESKTOP, locale: 'en-US', timezoneId: 'UTC' });
    const tab = await context.newPage();
    await tab.goto(base + '/login');
    await tab.getByLabel('Username', { exact: true }).fill('admin');
    await tab.getByLabel('Password', { exact: true }).fill(t.adminPassword);
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.getByRole('heading', { name: 'Overview', exact: true }).waitFor();
    // Signed in; now as a returning visitor with an empty cache on a slow phone's CPU.
    const cdp = await context.newCDPSession(tab);
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e) => {
      bytes += e.encodedDataLength;
    });
    const started = Date.now();
    await tab.goto(base + '/', { waitUntil: 'commit' });
    // Since the navigation started, read in the page at the first frame that shows the figure.
    const shown = await tab.waitForFunction(
      () => (window.document.querySelector('[data-testid="stat-totalEvents"] [data-testid="stat-value"]') ? performance.now() : false),
      null,
      { polling: 'raf', timeout: 30_000 },
    );
    const visible = await shown.jsonValue();
    const wall = Date.now() - started;
    await tab.waitForLoadState('networkidle').catch(() => undefined);
    const lcp = await tab.evaluate(
      () =>
        new Promise((resolve) => {
          new PerformanceObserver((list) => {
            const entries = list.getEntries();
            resolve(entries[entries.length - 1]?.startTime ?? null);
          }).observe({ type: 'largest-contentful-paint', buffered: true });
          setTimeout(() => resolve(null), 2_000);
        }),
    );
    runs.push({ visible: Math.round(visible), wall, lcp: lcp && Math.round(lcp), kb: Math.round(bytes / 1024) });
    await context.close();
  }
  log?.(`cold overview, 4x CPU slowdown: ${runs.map((r) => `stats visible ${r.visible} ms (LCP ${r.lcp} ms), ${r.kb} KB`).join('; ')}`);
  return runs;
}
