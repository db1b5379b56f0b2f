#!/usr/bin/env node
/**
 * The tracker (/t.js, as built into the Python package) in Chromium, against a stand-in
 * collector that records what it is sent: what the browser sends and when, nothing about the
 * server's side. Sites are served as `site.test` and the script and collector as `stats.test`
 * (mapped to 127.0.0.1), so the sends are cross-origin as on a real site.
 *
 *   node e2e/trackerClient.mjs      (prints `N passed, M failed` last; exit 1 on a failure)
 *
 * Environment: CHROMIUM (default /usr/bin/chromium).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRACKER = path.join(ROOT, 'src', 'eventlens', 'api', 'static', 't.js');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const STUB = '<script>window.eventlens=window.eventlens||function(){(eventlens.q=eventlens.q||[]).push(arguments)}</script>';

/** A site and a collector on one port; `requests` holds every batch posted, in order. */
function startServers() {
  const requests = [];
  const failNext = new Set(); // container ids whose next batch is answered 503
  let port;
  const tag = (site, attributes = '') =>
    `<script defer src="http://stats.test:${port}/t.js" data-site="${site}" ${attributes}></script>`;
  const pages = {
    '/': (query) => `<!doctype html><html><head><title>Tracked site</title>${STUB}
      <script>eventlens('track', 'queued_call', { early: 'yes' })</script>
      ${tag(query.get('site') || 'CAP-TRACK1', query.get('attributes') ?? 'data-track-automation')}</head>
      <body style="height: 3000px">
      <a id="outbound" href="https://elsewhere.test/page" data-stay>Elsewhere</a>
      <a id="download" href="/files/report.pdf?v=2" data-stay>Report</a>
      <a id="internal" href="/about" data-stay>About</a>
      <button id="signup" data-event="signup" data-prop-plan="pro" data-prop-seats="3"><span id="signup-label">Sign up</span></button>
      <form id="newsletter" data-event="newsletter" data-prop-list="weekly"><button id="subscribe">Subscribe</button></form>
      <script>
        for (const type of ['click', 'auxclick']) document.addEventListener(type, (e) => e.target.closest('[data-stay]') && e.preventDefault());
        document.addEventListener('submit', (e) => e.preventDefault());
      </script></body></html>`,
  };
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://x');
    const host = (request.headers.host || '').split(':')[0];
    if (request.method === 'POST' && url.pathname === '/api/events/batch') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const parsed = JSON.parse(body);
        const site = parsed.events[0]?.container_id;
        const status = failNext.delete(site) ? 503 : 202;
        requests.push({ host, contentType: request.headers['content-type'], cookie: request.headers.cookie, status, events: parsed.events });
        response.writeHead(status, { 'Access-Control-Allow-Origin': request.headers.origin || '*', 'Content-Type': 'application/json' });
        response.end('{}');
      });
      return;
    }
    if (url.pathname === '/t.js' && host === 'stats.test') {
      response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      response.end(fs.readFileSync(TRACKER));
      return;
    }
    const page = pages[url.pathname] ?? pages['/'];
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(page(url.searchParams));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      port = server.address().port;
      resolve({ server, port, requests, failNext });
    }),
  );
}

/** `t` holds step, assert, waitFor and a browser context whose host names `*.test` reach 127.0.0.1. */
export async function trackerClientChecks(t) {
  const { step, assert, waitFor, context } = t;
  const { server, port, requests, failNext } = await startServers();
  const site = `http://site.test:${port}`;
  const events = (containerId) => requests.flatMap((r) => r.events).filter((e) => e.container_id === containerId);
  const ofType = (containerId, type) => events(containerId).filter((e) => e.event_type === type);
  const arrived = (containerId, type, count = 1) =>
    waitFor(() => ofType(containerId, type).length >= count && ofType(containerId, type), { what: `${count} ${type} from ${containerId}` });
  let tab;

  try {
    await step('tracker: a page view on load, with the fields of the wire contract', async () => {
      tab = await context.newPage();
      await tab.setViewportSize({ width: 1280, height: 800 });
      await tab.goto(`${site}/landing?utm_source=news#top`, { referer: 'https://search.example/?q=x' });
      const [view] = await arrived('CAP-TRACK1', 'page_view');
      assert(UUID.test(view.event_id), `event_id is not a version-7 UUID: ${view.event_id}`);
      assert(view.url === `${site}/landing?utm_source=news`, `url (no hash without data-hash): ${view.url}`);
      assert(view.referrer === 'https://search.example/?q=x', `referrer: ${view.referrer}`);
      assert(view.screen_width === 1280, `screen_width: ${view.screen_width}`);
      assert(Math.abs(Date.parse(view.timestamp) - Date.now()) < 60_000 && view.timestamp.endsWith('Z'), `timestamp: ${view.timestamp}`);
      assert(JSON.stringify(view.properties) === '{}', `properties: ${JSON.stringify(view.properties)}`);
      assert(!('automated' in view), 'data-track-automation: no automated flag');
      assert(!('schema_id' in view) && !('user_id' in view) && !('session_id' in view), `extra fields: ${Object.keys(view)}`);
      const [request] = requests;
      assert(request.host === 'stats.test', `sent to the script's own origin, not ${request.host}`);
      assert(/^text\/plain/.test(request.contentType), `content type: ${request.contentType}`);
    });

    await step('tracker: a call queued before load and eventlens.track after it', async () => {
      const [queued] = await arrived('CAP-TRACK1', 'queued_call');
      assert(queued.properties.early === 'yes', `queued properties: ${JSON.stringify(queued.properties)}`);
      await tab.evaluate(() => window.eventlens.track('direct_call', { late: 'yes' }));
      const [direct] = await arrived('CAP-TRACK1', 'direct_call');
      assert(direct.properties.late === 'yes', `direct properties: ${JSON.stringify(direct.properties)}`);
    });

    await step('tracker: outbound clicks (also a middle click) and downloads', async () => {
      await tab.click('#outbound');
      await tab.click('#outbound', { button: 'middle' });
      await tab.click('#outbound', { button: 'right' });
      await tab.click('#download');
      await tab.click('#internal');
      const outbound = await arrived('CAP-TRACK1', 'outbound_click', 2);
      const [download] = await arrived('CAP-TRACK1', 'file_download');
      assert(outbound.every((e) => e.properties.url === 'https://elsewhere.test/page'), `outbound: ${JSON.stringify(outbound)}`);
      assert(download.properties.url === `${site}/files/report.pdf?v=2`, `download: ${JSON.stringify(download.properties)}`);
      await tab.waitForTimeout(1500);
      assert(ofType('CAP-TRACK1', 'outbound_click').length === 2, 'a right click counted as an outbound click');
    });

    await step('tracker: data-event on a clicked element (or inside it) and on a submitted form', async () => {
      await tab.click('#signup-label');
      await tab.click('#subscribe');
      const [signup] = await arrived('CAP-TRACK1', 'signup');
      const [newsletter] = await arrived('CAP-TRACK1', 'newsletter');
      assert(JSON.stringify(signup.properties) === '{"plan":"pro","seats":"3"}', `signup: ${JSON.stringify(signup.properties)}`);
      assert(JSON.stringify(newsletter.properties) === '{"list":"weekly"}', `newsletter: ${JSON.stringify(newsletter.properties)}`);
      assert(ofType('CAP-TRACK1', 'newsletter').length === 1, 'the click on the form counted too');
    });

    await step('tracker: SPA navigation: pushState and popstate are page views, replaceState of the same path is not', async () => {
      await tab.evaluate(() => window.scrollTo(0, 1000));
      await tab.evaluate(() => window.history.pushState({}, '', '/app/one'));
      await tab.evaluate(() => window.history.replaceState({}, '', '/app/one?tab=2'));
      await tab.evaluate(() => window.history.pushState({}, '', '/app/two'));
      await tab.evaluate(() => window.history.back());
      const views = await arrived('CAP-TRACK1', 'page_view', 4);
      await tab.waitForTimeout(1500);
      const urls = ofType('CAP-TRACK1', 'page_view').map((e) => e.url.replace(site, ''));
      assert(JSON.stringify(urls) === JSON.stringify(['/landing?utm_source=news', '/app/one', '/app/two', '/app/one?tab=2']), `page views: ${urls}`);
      assert(views.slice(1).every((e) => e.referrer === null), 'an SPA route was sent with a referrer');
      const engagements = ofType('CAP-TRACK1', 'engagement');
      assert(engagements.length === 3, `one engagement per route left: ${JSON.stringify(engagements)}`);
      const [first] = engagements;
      assert(first.url === `${site}/landing?utm_source=news`, `the landing page's engagement names it: ${first.url}`);
      assert(first.properties.engaged_ms > 0 && Number.isInteger(first.properties.engaged_ms), `engaged_ms: ${first.properties.engaged_ms}`);
      assert(first.properties.scroll_depth > 50 && first.properties.scroll_depth <= 100, `scroll_depth: ${first.properties.scroll_depth}`);
      const order = events('CAP-TRACK1').map((e) => e.event_type).filter((type) => type === 'page_view' || type === 'engagement');
      assert(order.join() === 'page_view,engagement,page_view,engagement,page_view,engagement,page_view', `order: ${order}`);
    });

    await step('tracker: nothing in cookies, localStorage or sessionStorage; no cookie sent', async () => {
      const kept = await tab.evaluate(() => [window.document.cookie, window.localStorage.length, window.sessionStorage.length]);
      assert(JSON.stringify(kept) === '["",0,0]', `kept in the browser: ${JSON.stringify(kept)}`);
      assert(requests.every((r) => !r.cookie), 'a request carried a cookie');
      assert(requests.every((r) => r.events.length <= 25), 'a request held more than 25 events');
    });

    await step('tracker: engagement on leaving, sent with the page going away', async () => {
      await tab.waitForTimeout(200);
      await tab.close({ runBeforeUnload: true });
      const engagements = await arrived('CAP-TRACK1', 'engagement', 4);
      assert(engagements[3].url === `${site}/app/one?tab=2`, `last engagement: ${engagements[3].url}`);
      const ids = events('CAP-TRACK1').map((e) => e.event_id);
      assert(new Set(ids).size === ids.length, 'an event id was sent twice without a failure');
    });

    await step('tracker: at most 25 events a request', async () => {
      tab = await context.newPage();
      await tab.goto(`${site}/?site=CAP-BATCH1`);
      await arrived('CAP-BATCH1', 'page_view');
      await tab.evaluate(() => {
        for (let i = 0; i < 30; i++) window.eventlens.track('bulk', { i: String(i) });
      });
      await arrived('CAP-BATCH1', 'bulk', 30);
      const sizes = requests.filter((r) => r.events[0].container_id === 'CAP-BATCH1').map((r) => r.events.length);
      assert(Math.max(...sizes) === 25, `batch sizes: ${sizes}`);
      await tab.close();
    });

    await step('tracker: a batch answered 503 is sent again with the same event ids', async () => {
      failNext.add('CAP-RETRY1');
      tab = await context.newPage();
      await tab.goto(`${site}/?site=CAP-RETRY1`);
      await waitFor(() => requests.filter((r) => r.events[0].container_id === 'CAP-RETRY1').length >= 2, { what: 'the retry' });
      const [failed, retried] = requests.filter((r) => r.events[0].container_id === 'CAP-RETRY1');
      assert(failed.status === 503 && retried.status === 202, `statuses: ${failed.status}, ${retried.status}`);
      const ids = (r) => r.events.map((e) => e.event_id).join();
      assert(ids(failed) === ids(retried), `ids: ${ids(failed)} then ${ids(retried)}`);
      await tab.close();
    });

    await step('tracker: hash routing with data-hash', async () => {
      tab = await context.newPage();
      await tab.goto(`${site}/?site=CAP-HASH01&attributes=data-track-automation%20data-hash#/start`);
      await arrived('CAP-HASH01', 'page_view');
      await tab.evaluate(() => (window.location.hash = '#/next'));
      const views = await arrived('CAP-HASH01', 'page_view', 2);
      assert(views[0].url.endsWith('/?site=CAP-HASH01&attributes=data-track-automation%20data-hash#/start'), `first: ${views[0].url}`);
      assert(views[1].url.endsWith('#/next'), `second: ${views[1].url}`);
      await tab.close();
    });

    await step('tracker: an automated browser is flagged unless the tag says data-track-automation', async () => {
      tab = await context.newPage();
      await tab.goto(`${site}/?site=CAP-ROBOT1&attributes=`);
      const [view] = await arrived('CAP-ROBOT1', 'page_view');
      assert(view.automated === true, `automated: ${view.automated}`);
      await tab.close();
    });

    await step('tracker: the visitor’s opt-out (localStorage.eventlens_ignore) sends nothing', async () => {
      tab = await context.newPage();
      await tab.goto(`${site}/blank?site=CAP-OPTOUT`);
      await arrived('CAP-OPTOUT', 'page_view');
      await tab.evaluate(() => window.localStorage.setItem('eventlens_ignore', 'true'));
      await tab.reload();
      await tab.evaluate(() => window.eventlens.track('while_opted_out'));
      await tab.evaluate(() => window.localStorage.removeItem('eventlens_ignore'));
      await tab.evaluate(() => window.eventlens.track('after_opting_in'));
      await arrived('CAP-OPTOUT', 'after_opting_in');
      const sent = events('CAP-OPTOUT').map((e) => e.event_type);
      assert(sent.join() === 'page_view,queued_call,after_opting_in', `sent: ${sent}`);
      await tab.close();
    });

    await step('tracker: eventlens.optOut() keeps the one flag and sends nothing after it; optOut(false) undoes it', async () => {
      tab = await context.newPage();
      await tab.goto(`${site}/blank?site=CAP-OPTOUT2`);
      await arrived('CAP-OPTOUT2', 'page_view');
      await tab.evaluate(() => window.eventlens.optOut());
      const flag = await tab.evaluate(() => window.localStorage.getItem('eventlens_ignore'));
      assert(flag === 'true', `the opt-out flag: ${flag}`);
      await tab.evaluate(() => window.eventlens.track('right_after_opting_out'));
      await tab.reload();
      await tab.evaluate(() => window.eventlens.track('on_a_later_page'));
      await tab.evaluate(() => window.eventlens.optOut(false));
      await tab.evaluate(() => window.eventlens.track('after_opting_back_in'));
      await arrived('CAP-OPTOUT2', 'after_opting_back_in');
      const sent = events('CAP-OPTOUT2').map((e) => e.event_type);
      assert(sent.join() === 'page_view,queued_call,after_opting_back_in', `sent: ${sent}`);
      await tab.evaluate(() => window.localStorage.removeItem('eventlens_ignore'));
      await tab.close();
    });

    await step('tracker: localhost is ignored unless the tag says data-local', async () => {
      tab = await context.newPage();
      await tab.goto(`http://localhost:${port}/?site=CAP-LOCAL1`);
      await tab.evaluate(() => window.eventlens.track('from_localhost'));
      await tab.goto(`http://localhost:${port}/?site=CAP-LOCAL2&attributes=data-track-automation%20data-local`);
      await arrived('CAP-LOCAL2', 'page_view');
      await tab.waitForTimeout(1500);
      assert(events('CAP-LOCAL1').length === 0, `sent from localhost: ${JSON.stringify(events('CAP-LOCAL1'))}`);
      await tab.close();
    });
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

// Run on its own: `node e2e/trackerClient.mjs`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
  const results = [];
  const step = async (name, fn) => {
    try {
      await fn();
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  };
  const assert = (condition, message) => {
    if (!condition) throw new Error(message);
  };
  const waitFor = async (check, { timeout = 15_000, what = 'condition' } = {}) => {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      const value = await check();
      if (value) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
  };
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP *.test 127.0.0.1'],
  });
  try {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    await trackerClientChecks({ step, assert, waitFor, context });
  } finally {
    await browser.close();
  }
  const failed = results.filter((r) => !r.ok).length;
  for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}${r.ok ? '' : `\n      ${r.error}`}`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}
