/**
 * Plausible's official npm tracker (`@plausible-analytics/tracker`, unchanged) on a demo blog
 * at `blog.test`, pointed at EventLens's `POST /api/event`: its page view, a single-page-app
 * navigation (with the engagement Plausible sends for the page left) and a custom event with
 * props are each recorded once, as EventLens's own event types, with the page's fields.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, recordedEvents, serveSite, statsOrigin, visitorBrowser } from './demoSites.mjs';

const SCHEMA = 'e2e_blog';
// The package is one ES module without imports: the page loads it as it is.
const TRACKER = fs.readFileSync(createRequire(import.meta.url).resolve('@plausible-analytics/tracker'), 'utf8');

function blogPage(endpoint) {
  return `<!doctype html><html><head><title>Blog</title>
<script>
  // Plausible's tracker ignores pages under automation (navigator.webdriver) unless the page
  // says it is tested on purpose, as Plausible's own tests do.
  window.__plausible = true;
</script>
<script type="module">
  import { init, track } from '/plausible.js';
  init({ domain: 'blog.test', endpoint: ${JSON.stringify(endpoint)}, autoCapturePageviews: true, logging: false });
  window.blog = { track };
</script>
</head><body><h1>Hello</h1><p>A post.</p></body></html>`;
}

/** `t` holds the runner's helpers: step, api, assert, waitFor, adminToken, launchBrowser and base. */
export async function plausibleTrackerChecks(t) {
  const { api, assert, waitFor } = t;
  let ready = false;
  const step = (name, fn) => t.step(name, async () => {
    assert(ready, 'not run: the demo blog could not be set up');
    await fn();
  });
  let token;
  let site;
  let blog;
  let adaptor;
  let browser;
  let tab;

  const events = () => recordedEvents(api, token, adaptor.container_id);
  const recordedOnce = async (type, path) => {
    const found = await waitFor(async () => {
      const hits = (await events()).filter((e) => e.event_type === type && e.path === path);
      return hits.length ? hits : null;
    }, { what: `${type} on ${path}` });
    assert(found.length === 1, `${type} on ${path} was stored ${found.length} times`);
    const [event] = found;
    assert(event.hostname === 'blog.test' && event.url === `${blog}${path}`, `hostname ${event.hostname}, url ${event.url}`);
    assert(event.browser === 'Chrome' && event.device === 'Desktop', `software ${event.browser} / ${event.device}`);
    assert(event.metadata.sent_as === 'plausible', `metadata ${JSON.stringify(event.metadata)}`);
    return event;
  };

  await t.step('plausible: a demo blog on blog.test with Plausible’s npm tracker pointed at /api/event', async () => {
    token = await t.adminToken();
    const schema = await api('POST', '/api/schemas/', { name: SCHEMA, description: 'Demo blog', properties: { Signup: {} } }, token);
    assert(schema.status === 201, `schema: ${schema.status} ${schema.text}`);
    const endpoint = `${statsOrigin(t.base)}/api/event`;
    site = await serveSite((host, path) => {
      if (host !== 'blog.test') return null;
      if (path === '/plausible.js') return { body: TRACKER, type: 'text/javascript; charset=utf-8' };
      if (path.startsWith('/posts/')) return { body: blogPage(endpoint) };
      return null;
    });
    blog = `http://blog.test:${site.address().port}`;
    const created = await api('POST', '/api/adaptors/', { name: 'Demo blog', schema_id: SCHEMA, website_url: blog }, token);
    assert(created.status === 201, `adaptor: ${created.status} ${created.text}`);
    adaptor = created.json;
    let context;
    ({ browser, context } = await visitorBrowser(t.launchBrowser));
    tab = await context.newPage();
    ready = true;
  });

  let landing;
  await step('plausible: its page view is recorded as page_view', async () => {
    await tab.goto(`${blog}/posts/hello`);
    landing = await recordedOnce('page_view', '/posts/hello');
    assert(landing.visitor_id, 'no visitor_id');
  });

  await step('plausible: an SPA navigation (pushState) records the new path, and the engagement of the page left', async () => {
    await tab.evaluate(() => window.history.pushState({}, '', '/posts/second'));
    const view = await recordedOnce('page_view', '/posts/second');
    const engagement = await recordedOnce('engagement', '/posts/hello');
    for (const event of [view, engagement]) assert(event.visitor_id === landing.visitor_id, `visitor ${event.visitor_id}`);
    const { engaged_ms: engaged, scroll_depth: depth } = engagement.properties;
    assert(Number.isInteger(engaged) && engaged >= 0 && Number.isInteger(depth) && depth >= 0 && depth <= 100, `engagement ${JSON.stringify(engagement.properties)}`);
  });

  await step('plausible: track("Signup", {props}) records the custom event with its props', async () => {
    await tab.evaluate(() => window.blog.track('Signup', { props: { plan: 'pro', seats: 3 } }));
    const signup = await recordedOnce('Signup', '/posts/second');
    // Plausible keeps props as text.
    assert(JSON.stringify(signup.properties) === JSON.stringify({ plan: 'pro', seats: '3' }), `props ${JSON.stringify(signup.properties)}`);
    assert(signup.visitor_id === landing.visitor_id, `visitor ${signup.visitor_id}`);
  });

  await step('plausible: the visit is exactly these events, each once', async () => {
    const found = await events();
    const seen = found.map((e) => `${e.event_type} ${e.path}`).sort();
    const wanted = ['engagement /posts/hello', 'page_view /posts/hello', 'page_view /posts/second', 'Signup /posts/second'].sort();
    assert(JSON.stringify(seen) === JSON.stringify(wanted), `recorded:\n${found.map(describe).join('\n')}`);
  });

  if (browser) await browser.close().catch(() => undefined);
  if (site) site.close();
}
