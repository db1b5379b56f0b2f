/**
 * What collection records, as the dashboard shows it: a visit from an iPhone in London, sent
 * the way the tracker sends it, appears in the events explorer with its page, source and
 * channel, software, device and place (credited to DB-IP), or with the reason places are not
 * recorded; a crawler's event appears on pipeline health under "Bots kept out". Screenshots of
 * both in light and dark mode and at phone width.
 */
import path from 'node:path';

const SCHEMA = 'e2e_collection';
const SITE = 'https://collection.example';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const LONDON = '81.2.69.142'; // in DB-IP Lite: GB, England, London
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };

/**
 * `t` holds the runner's helpers: step, api, assert, waitFor, adminToken, base, page (the
 * dashboard's tab, signed in) and shots (the screenshot directory).
 */
export async function collectionViewChecks(t) {
  const { api, assert, waitFor, page } = t;
  let ready = false;
  const step = (name, fn) => t.step(name, async () => {
    assert(ready, 'not run: the collection demo site could not be set up');
    await fn();
  });
  let token;
  let containerId;
  let geo;

  /** Sends one event as the tracker does, from `userAgent` at `address`. */
  const track = (event, userAgent) =>
    fetch(`${t.base}/api/events/batch`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: SITE, 'User-Agent': userAgent, 'X-Forwarded-For': LONDON },
      body: JSON.stringify({ events: [{ event_id: crypto.randomUUID(), container_id: containerId, screen_width: 390, properties: {}, ...event }] }),
    });
  const theme = async (name) => {
    await page.evaluate((value) => window.localStorage.setItem('eventlens.theme', value), name);
    await page.reload();
  };
  const shoot = (locator, name) => locator.screenshot({ path: path.join(t.shots, `${name}.png`) });

  await t.step('collection: a site visited from an iPhone in London and by a crawler', async () => {
    token = await t.adminToken();
    const schema = await api('POST', '/api/schemas/', { name: SCHEMA, description: 'Collection demo', properties: { signup: {} } }, token);
    assert(schema.status === 201, `schema: ${schema.status} ${schema.text}`);
    const created = await api('POST', '/api/adaptors/', { name: 'Collection demo', schema_id: SCHEMA, website_url: SITE }, token);
    assert(created.status === 201, `adaptor: ${created.status} ${created.text}`);
    containerId = created.json.container_id;
    geo = (await api('GET', '/api/collection/status', undefined, token)).json?.geo;
    assert(geo && typeof geo.enabled === 'boolean', `/api/collection/status: ${JSON.stringify(geo)}`);
    const visit = await track({ event_type: 'page_view', url: `${SITE}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring`, referrer: 'https://news.example/' }, SAFARI_IPHONE);
    assert(visit.status === 202, `the visit's page view answered ${visit.status}: ${await visit.text()}`);
    await track({ event_type: 'page_view', url: `${SITE}/` }, GOOGLEBOT);
    await waitFor(async () => {
      const recent = await api('GET', `/api/events/recent?adaptor_id=${containerId}`, undefined, token);
      const bots = await api('GET', `/api/collection/bots?days=1&adaptor_id=${containerId}`, undefined, token);
      return recent.json?.length === 1 && bots.json?.[0]?.events === 1;
    }, { what: 'the page view recorded and the crawler counted' });
    ready = true;
  });

  await step('collection: pipeline health lists the bots kept out per site, with what a bot is', async () => {
    await page.goto(`${t.base}/pipeline`);
    const card = page.getByTestId('bots-kept-out');
    const row = card.locator(`[data-testid="bots-row"][data-container-id="${containerId}"]`);
    await row.waitFor();
    // The adaptor's name shows once the catalog has loaded; until then, its id.
    await waitFor(async () => (await row.getByRole('rowheader').textContent()) === `Collection demo${containerId}`, { what: 'the site named with its container id' });
    assert((await row.getByTestId('bots-total').textContent()) === '1', `total: ${await row.getByTestId('bots-total').textContent()}`);
    const sparkline = await row.getByRole('img').getAttribute('aria-label');
    assert(sparkline.startsWith('Collection demo: 1 bot event in 30 days'), `sparkline: ${sparkline}`);
    assert(/crawlers, headless browsers, clients without a User-Agent/.test(await card.textContent()), 'the card does not say what a bot is');
    const notices = await page.getByTestId('geo-notice').count();
    if (geo.enabled) assert(notices === 0, 'places are recorded, yet the page says they are not');
    else assert((await page.getByTestId('geo-notice').textContent()) === `Places are not recorded: ${geo.problem.replace(/\.$/, '')}.`, 'no notice that places are not recorded');
  });

  await step('collection: the bots card in light and dark mode and at phone width', async () => {
    const card = page.getByTestId('bots-kept-out');
    for (const name of ['light', 'dark']) {
      await theme(name);
      await card.getByTestId('bots-row').first().waitFor();
      await shoot(card, `pipeline-bots-${name}`);
      await page.setViewportSize(PHONE);
      await card.getByTestId('bots-row').first().waitFor();
      const overflow = await page.evaluate(() => window.document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, `the pipeline page is ${overflow} px wider than the phone`);
      const [cardBox, totalBox] = [await card.boundingBox(), await card.getByTestId('bots-total').first().boundingBox()];
      assert(totalBox.x + totalBox.width <= cardBox.x + cardBox.width, 'the totals are scrolled out of the card at phone width');
      await shoot(card, `pipeline-bots-phone-${name}`);
      await page.setViewportSize(DESKTOP);
    }
    await theme('light');
  });

  await step('collection: the explorer shows the visit’s page, source, software, device and place', async () => {
    await page.goto(`${t.base}/events?adaptor=${containerId}`);
    const row = page.getByTestId('event-row').first();
    await row.waitFor();
    const cell = async (id) => (await row.getByTestId(id).textContent()).trim();
    assert((await cell('event-page')) === 'collection.example/pricing', `page: ${await cell('event-page')}`);
    assert((await cell('event-acquisition')) === 'newsletter · Email', `source and channel: ${await cell('event-acquisition')}`);
    assert((await cell('event-software')) === 'Safari · iOS', `software: ${await cell('event-software')}`);
    const devicePlace = await cell('event-device-place');
    const credit = page.getByRole('link', { name: 'IP Geolocation by DB-IP' });
    if (geo.enabled) {
      assert(devicePlace === 'Mobile · United Kingdom', `device and country: ${devicePlace}`);
      assert((await credit.getAttribute('href')) === 'https://db-ip.com', 'no attribution to DB-IP beside the places');
    } else {
      assert(devicePlace === 'Mobile', `device: ${devicePlace}`);
      assert((await page.getByTestId('geo-notice').textContent()).startsWith('Places are not recorded: '), 'no notice that places are not recorded');
    }
    await row.getByRole('button', { name: /^Open event/ }).click();
    const visit = page.getByRole('dialog').getByTestId('event-visit');
    await visit.waitFor();
    const text = await visit.textContent();
    for (const fact of ['Referrerhttps://news.example/', 'Campaignsource newsletter · medium email · campaign spring', 'DeviceMobile', 'Screen width390 px']) {
      assert(text.includes(fact), `the visit's detail lacks "${fact}": ${text}`);
    }
    assert(geo.enabled ? text.includes('United KingdomIP Geolocation by DB-IP') : text.includes('Places are not recorded: '), `the place: ${text}`);
    await page.waitForTimeout(400); // the drawer slides in
    await shoot(page, 'events-visit-light');
    await page.keyboard.press('Escape');
  });

  await step('collection: the explorer with the visit in dark mode and at phone width', async () => {
    await theme('dark');
    await page.getByTestId('event-row').first().waitFor();
    await shoot(page, 'events-visit-dark');
    for (const name of ['dark', 'light']) {
      if (name === 'light') await theme('light');
      await page.setViewportSize(PHONE);
      const row = page.getByTestId('event-row').first();
      await row.waitFor();
      const phonePage = row.getByTestId('event-page-phone');
      assert((await phonePage.isVisible()) && (await phonePage.textContent()) === '/pricing', 'the page is not shown under the event type at phone width');
      const overflow = await page.evaluate(() => window.document.documentElement.scrollWidth - window.innerWidth);
      assert(overflow <= 0, `the explorer is ${overflow} px wider than the phone`);
      await shoot(page, `events-visit-phone-${name}`);
      await page.setViewportSize(DESKTOP);
    }
  });
}
