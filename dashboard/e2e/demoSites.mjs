/**
 * What the web-analytics checks share: demo sites served by a small HTTP server under `.test`
 * host names that the browser maps to this machine (as a site owner's real domain would be),
 * the browser that maps them, and a desktop Chrome visitor.
 */
import http from 'node:http';

/** Every `*.test` name is this machine: `shop.test`, `news.test`, `blog.test`, and `stats.test` for EventLens. */
export const HOST_RULES = '--host-resolver-rules=MAP *.test 127.0.0.1';

/** A visitor's desktop Chrome on Windows (the headless browser's own User-Agent says HeadlessChrome: a bot). */
export const DESKTOP_CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
export const VIEWPORT = { width: 1280, height: 800 };

/**
 * Serve `respond(host, path)` → `{ body, type? , status? }` (or null: 404) on 127.0.0.1, on a
 * free port; resolves to the server once it listens.
 */
export function serveSite(respond) {
  return new Promise((resolve) => {
    const site = http.createServer((request, response) => {
      const host = (request.headers.host || '').split(':')[0];
      const { pathname } = new URL(request.url, 'http://site.invalid');
      const found = respond(host, pathname);
      if (!found) {
        response.writeHead(404, { 'Content-Type': 'text/plain' });
        response.end('not found');
        return;
      }
      response.writeHead(found.status ?? 200, { 'Content-Type': found.type ?? 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end(found.body);
    });
    site.listen(0, '127.0.0.1', () => resolve(site));
  });
}

/** EventLens as a site's page reaches it: under its own host name, on the port it listens on. */
export function statsOrigin(base) {
  return `http://stats.test:${new URL(base).port}`;
}

/**
 * A browser whose pages reach the `.test` sites as desktop Chrome, and a context in it. The
 * User-Agent is the browser's own: a context's override does not reach the beacons a page sends
 * as it unloads, which would then say HeadlessChrome.
 */
export async function visitorBrowser(launchBrowser, userAgent = DESKTOP_CHROME) {
  const browser = await launchBrowser(userAgent ? [HOST_RULES, `--user-agent=${userAgent}`] : [HOST_RULES]);
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', timezoneId: 'UTC' });
  context.setDefaultTimeout(15_000);
  return { browser, context };
}

/** The events an adaptor recorded, newest first, through the REST API. */
export async function recordedEvents(api, token, containerId) {
  const answer = await api('GET', `/api/events/recent?adaptor_id=${containerId}&limit=500`, undefined, token);
  if (answer.status !== 200) throw new Error(`/api/events/recent answered ${answer.status}: ${answer.text}`);
  return answer.json;
}

/** How many events the site's bots sent today. */
export async function botsToday(api, token, containerId) {
  const answer = await api('GET', `/api/collection/bots?days=1&adaptor_id=${containerId}`, undefined, token);
  if (answer.status !== 200) throw new Error(`/api/collection/bots answered ${answer.status}: ${answer.text}`);
  return answer.json.reduce((sum, row) => sum + row.events, 0);
}

export const describe = (event) => `${event.event_type} ${event.path ?? event.url ?? ''} ${JSON.stringify(event.properties)}`;
