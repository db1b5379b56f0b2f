/**
 * The served tracker (`/t.js`, installed with one tag) on a demo shop at `shop.test`, visited
 * in Chromium as desktop Chrome coming from a newsletter on `news.test`: its page view, two
 * single-page-app navigations, an outbound link, a download, a `data-event` element, queued
 * and direct `eventlens.track` calls and the engagement sent on leaving are each recorded
 * once, with the page, campaign, software and screen fields and one visitor id, while the page
 * keeps nothing in cookies or storage. The seed's inline snippet still records on the same
 * site, and the headless browser's own User-Agent is counted as a bot, not recorded.
 */
import { DESKTOP_CHROME, botsToday, describe, recordedEvents, serveSite, statsOrigin, visitorBrowser } from './demoSites.mjs';

const SCHEMA = 'e2e_shop';
const CAMPAIGN = '?utm_source=newsletter&utm_medium=email&utm_campaign=spring';
const OUTBOUND = 'https://elsewhere.example/offer';

/** The installation a site owner pastes: the queued-call stub, a call made before the script loads, the tag. */
function shopPage(trackerSrc, containerId) {
  return `<!doctype html><html><head><title>Shop</title>
<script>window.eventlens=window.eventlens||function(){(eventlens.q=eventlens.q||[]).push(arguments)}</script>
<script>eventlens('track', 'video_play', { video: 'intro' })</script>
<script defer src="${trackerSrc}" data-site="${containerId}" data-track-automation></script>
</head><body style="margin: 0; min-height: 3000px">
<h1>Spring sale</h1>
<a class="stay" id="outbound" href="${OUTBOUND}">Partner offer</a>
<a class="stay" id="download" href="/files/price-list.pdf">Price list (PDF)</a>
<button id="signup" data-event="signup" data-prop-plan="pro">Sign up</button>
<script>
  // The shop keeps the visitor on the page, as a single-page app would.
  document.addEventListener('click', (e) => { if (e.target.closest('a.stay')) e.preventDefault(); });
</script>
</body></html>`;
}

/** `t` holds the runner's helpers: step, api, assert, waitFor, adminToken, launchBrowser and base. */
export async function trackerSiteChecks(t) {
  const { api, assert, waitFor } = t;
  let ready = false;
  // The visit's steps need the shop: without it each says so, instead of failing on its own.
  const step = (name, fn) => t.step(name, async () => {
    assert(ready, 'not run: the demo shop could not be set up');
    await fn();
  });
  let token;
  let site;
  let shop;
  let adaptor;
  let browser;
  let context;
  let tab;
  let visitor;

  const events = () => recordedEvents(api, token, adaptor.container_id);
  const matching = (found, type, path, properties) =>
    found.filter(
      (e) =>
        e.event_type === type &&
        (path === undefined || e.path === path) &&
        (properties === undefined || JSON.stringify(e.properties) === JSON.stringify(properties)),
    );
  /** Waits for the event, then asserts it was stored exactly once; returns it. */
  const recordedOnce = async (type, path, properties) => {
    const what = `${type} ${path ?? ''} ${properties ? JSON.stringify(properties) : ''}`;
    const found = await waitFor(async () => {
      const hits = matching(await events(), type, path, properties);
      return hits.length ? hits : null;
    }, { what });
    assert(found.length === 1, `${what} was stored ${found.length} times`);
    return found[0];
  };
  const onTheShop = (event) => {
    assert(event.hostname === 'shop.test', `hostname ${event.hostname}`);
    assert(event.browser === 'Chrome' && event.os === 'Windows' && event.device === 'Desktop', `software ${event.browser} / ${event.os} / ${event.device}`);
    assert(event.screen_width === 1280, `screen_width ${event.screen_width}`);
    assert(event.visitor_id && event.visitor_id === visitor, `visitor_id ${event.visitor_id}, the visit's is ${visitor}`);
    assert(event.user_id === null && event.session_id === null, `identified: user ${event.user_id}, session ${event.session_id}`);
  };

  await t.step('tracker: a demo shop on shop.test with the one-line tag of the served /t.js', async () => {
    token = await t.adminToken();
    const schema = await api(
      'POST',
      '/api/schemas/',
      {
        name: SCHEMA,
        description: 'Demo shop',
        properties: {
          signup: { type: 'object', properties: { plan: { type: 'string' } }, required: ['plan'] },
          video_play: { type: 'object', properties: { video: { type: 'string' } } },
        },
      },
      token,
    );
    assert(schema.status === 201, `schema: ${schema.status} ${schema.text}`);
    let inlineSnippet = '';
    site = await serveSite((host, path) => {
      if (host === 'news.test' && path === '/') {
        return { body: `<!doctype html><title>Newsletter</title><a id="to-shop" href="${shop}/${CAMPAIGN}">Shop the spring sale</a>` };
      }
      if (host !== 'shop.test') return null;
      if (path === '/') return { body: shopPage(`${statsOrigin(t.base)}/t.js`, adaptor.container_id) };
      if (path === '/inline') return { body: `<!doctype html><title>Inline snippet page</title><p>Identified tracking</p>${inlineSnippet}` };
      if (path === '/away') return { body: '<!doctype html><title>Away</title><p>Untracked</p>' };
      return null;
    });
    shop = `http://shop.test:${site.address().port}`;
    const created = await api('POST', '/api/adaptors/', { name: 'Demo shop', schema_id: SCHEMA, website_url: shop }, token);
    assert(created.status === 201, `adaptor: ${created.status} ${created.text}`);
    adaptor = created.json;
    inlineSnippet = adaptor.inline_snippet ?? '';
    assert(inlineSnippet.includes('/api/events/ingest'), `no inline snippet in the adaptor: ${JSON.stringify(adaptor).slice(0, 300)}`);
    const script = await fetch(`${t.base}/t.js`);
    assert(script.status === 200 && /javascript/.test(script.headers.get('content-type') ?? ''), `GET /t.js answered ${script.status} ${script.headers.get('content-type')}`);
    ({ browser, context } = await visitorBrowser(t.launchBrowser));
    tab = await context.newPage();
    assert((await tab.evaluate(() => window.navigator.userAgent)) === DESKTOP_CHROME, 'the browser does not say it is desktop Chrome');
    ready = true;
  });

  await step('tracker: a visit from a newsletter link records one page view with its referrer, campaign and channel', async () => {
    await tab.goto(`http://news.test:${site.address().port}/`);
    await tab.click('#to-shop');
    await tab.waitForURL(`${shop}/${CAMPAIGN}`);
    const view = await recordedOnce('page_view', '/');
    visitor = view.visitor_id;
    onTheShop(view);
    assert(view.url === `${shop}/${CAMPAIGN}`, `url ${view.url}`);
    assert(view.referrer === `http://news.test:${site.address().port}/`, `referrer ${view.referrer}`);
    const campaign = [view.utm_source, view.utm_medium, view.utm_campaign].join(' ');
    assert(campaign === 'newsletter email spring', `utm_source, utm_medium, utm_campaign: ${campaign}`);
    assert(view.source === 'newsletter' && view.channel === 'Email', `source ${view.source}, channel ${view.channel}`);
    assert(view.schema_id === SCHEMA, `schema ${view.schema_id}`);
  });

  await step('tracker: a call queued before the script loaded is sent after the page view', async () => {
    onTheShop(await recordedOnce('video_play', '/', { video: 'intro' }));
  });

  await step('tracker: two SPA navigations (pushState) record page views of the new paths, with no referrer', async () => {
    await tab.evaluate(() => window.history.pushState({}, '', '/pricing'));
    const pricing = await recordedOnce('page_view', '/pricing');
    await tab.evaluate(() => window.history.pushState({}, '', '/docs/start?tab=api'));
    // The same URL again is no navigation.
    await tab.evaluate(() => window.history.replaceState({}, '', '/docs/start?tab=api'));
    const docs = await recordedOnce('page_view', '/docs/start');
    for (const view of [pricing, docs]) {
      onTheShop(view);
      assert(view.referrer === null, `the SPA page view of ${view.path} has referrer ${view.referrer}`);
    }
    assert(docs.url === `${shop}/docs/start?tab=api`, `url ${docs.url}`);
  });

  await step('tracker: an outbound link click records outbound_click with the link', async () => {
    await tab.click('#outbound');
    onTheShop(await recordedOnce('outbound_click', '/docs/start', { url: OUTBOUND }));
  });

  await step('tracker: a download link click records file_download with the file', async () => {
    await tab.click('#download');
    onTheShop(await recordedOnce('file_download', '/docs/start', { url: `${shop}/files/price-list.pdf` }));
  });

  await step('tracker: a data-event element records its custom event with its data-prop-* properties', async () => {
    await tab.click('#signup');
    onTheShop(await recordedOnce('signup', '/docs/start', { plan: 'pro' }));
  });

  await step('tracker: eventlens.track() after load records the custom event', async () => {
    await tab.evaluate(() => window.eventlens.track('video_play', { video: 'tour' }));
    onTheShop(await recordedOnce('video_play', '/docs/start', { video: 'tour' }));
  });

  await step('tracker: the page keeps nothing in cookies, localStorage or sessionStorage', async () => {
    const kept = await tab.evaluate(() => ({ cookie: window.document.cookie, local: window.localStorage.length, session: window.sessionStorage.length }));
    assert(kept.cookie === '' && kept.local === 0 && kept.session === 0, `the page keeps ${JSON.stringify(kept)}`);
  });

  await step('tracker: leaving the page sends its engagement once, with time on page and scroll depth', async () => {
    await tab.evaluate(() => window.scrollTo(0, 1200));
    await tab.goto(`${shop}/away`);
    const engagement = await recordedOnce('engagement', '/docs/start');
    onTheShop(engagement);
    const { engaged_ms: engaged, scroll_depth: depth } = engagement.properties;
    assert(Number.isInteger(engaged) && engaged > 0, `engaged_ms ${engaged}`);
    assert(Number.isInteger(depth) && depth >= 50 && depth <= 100, `scroll_depth ${depth}`);
  });

  await step('tracker: each SPA route’s engagement is recorded under the route it measured', async () => {
    for (const path of ['/', '/pricing']) {
      const engagement = await recordedOnce('engagement', path);
      assert(engagement.properties.engaged_ms > 0, `engaged_ms on ${path}: ${engagement.properties.engaged_ms}`);
    }
  });

  await step('tracker: the visit is exactly these events, each once, all of one visitor on shop.test', async () => {
    const expected = [
      ['page_view', '/'],
      ['video_play', '/'],
      ['engagement', '/'],
      ['page_view', '/pricing'],
      ['engagement', '/pricing'],
      ['page_view', '/docs/start'],
      ['outbound_click', '/docs/start'],
      ['file_download', '/docs/start'],
      ['signup', '/docs/start'],
      ['video_play', '/docs/start'],
      ['engagement', '/docs/start'],
    ];
    const found = await events();
    const seen = found.map((e) => `${e.event_type} ${e.path}`).sort();
    const wanted = expected.map(([type, path]) => `${type} ${path}`).sort();
    assert(JSON.stringify(seen) === JSON.stringify(wanted), `recorded:\n${found.map(describe).join('\n')}`);
    found.forEach(onTheShop);
  });

  await step('tracker: the seed’s inline snippet still records on the same site', async () => {
    await tab.goto(`${shop}/inline`);
    const [view] = await waitFor(async () => {
      const hits = (await events()).filter((e) => e.event_type === 'page_view' && e.properties.page_title === 'Inline snippet page');
      return hits.length ? hits : null;
    }, { what: 'the inline snippet’s page view' });
    assert(view.user_id?.startsWith('user_') && view.session_id?.startsWith('session_'), `user ${view.user_id}, session ${view.session_id}`);
    assert(view.properties.page_url === `${shop}/inline`, `page_url ${view.properties.page_url}`);
    await tab.close();
    await context.close();
  });

  await step('tracker: the headless browser’s own User-Agent is counted as a bot and nothing is recorded', async () => {
    const { browser: headless, context: visit } = await visitorBrowser(t.launchBrowser, null);
    const page = await visit.newPage();
    assert((await page.evaluate(() => window.navigator.userAgent)).includes('HeadlessChrome'), 'the default User-Agent does not say HeadlessChrome');
    const before = new Set((await events()).map((e) => e.event_id));
    const bots = await botsToday(api, token, adaptor.container_id);
    await page.goto(`${shop}/`);
    // The page view and the queued call.
    await waitFor(async () => (await botsToday(api, token, adaptor.container_id)) >= bots + 2, { what: 'the bot count to rise by 2' });
    const fresh = (await events()).filter((e) => !before.has(e.event_id));
    assert(fresh.length === 0, `recorded from the headless browser: ${fresh.map(describe).join(', ')}`);
    await headless.close();
  });

  if (browser) await browser.close().catch(() => undefined);
  if (site) site.close();
}
