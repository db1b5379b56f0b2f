/**
 * The adaptor's inline snippet (the seed's) on a real page in Chromium, opened as the
 * adaptor's own origin (localhost) and as one it does not allow (127.0.0.1): the first records
 * a page view, the second is answered with a reason the page can read (no CORS error) and kept
 * as a rejected event that a re-process accepts once the adaptor allows that origin.
 */
import http from 'node:http';

const SCHEMA = 'e2e_snippet';
const EVENT_TYPES = ['page_view', 'github_project_click', 'linkedin_profile_click', 'email_link_click', 'navigation_click', 'external_link_click'];

function serve(html) {
  return new Promise((resolve) => {
    const site = http.createServer((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(html);
    });
    site.listen(0, '127.0.0.1', () => resolve(site));
  });
}

/** `t` holds the runner's helpers: step, api, assert, waitFor, context and adminToken. */
export async function snippetSiteChecks(t) {
  const { step, api, assert, waitFor } = t;
  let token;
  let site;
  let port;
  let adaptor;
  let tab;
  const consoleLines = [];

  const recent = async () =>
    (await api('GET', `/api/events/recent?schema_id=${SCHEMA}&limit=50`, undefined, token)).json ?? [];
  const rejected = async () =>
    (await api('GET', `/api/events/rejected?schema_id=${SCHEMA}&reason=origin_not_allowed`, undefined, token)).json ?? [];

  await step('snippet: a site with the adaptor’s inline snippet, served on localhost', async () => {
    token = await t.adminToken();
    const properties = Object.fromEntries(EVENT_TYPES.map((type) => [type, {}]));
    const schema = await api('POST', '/api/schemas/', { name: SCHEMA, description: 'Snippet site', properties }, token);
    assert(schema.status === 201, `schema: ${schema.status} ${schema.text}`);
    site = await serve('<!doctype html><title>Snippet site</title><p>placeholder</p>');
    port = site.address().port;
    const created = await api(
      'POST',
      '/api/adaptors/',
      { name: 'Snippet site', schema_id: SCHEMA, website_url: `http://localhost:${port}` },
      token,
    );
    assert(created.status === 201, `adaptor: ${created.status} ${created.text}`);
    adaptor = created.json;
    site.close();
    site = await serve(`<!doctype html><html><head><title>Snippet site</title></head><body>
      <a href="https://github.com/someone/project">A project</a>${adaptor.inline_snippet}</body></html>`);
    port = site.address().port;
    // The adaptor was made for the first server's port: point it at this one.
    const updated = await api('PUT', `/api/adaptors/${adaptor.container_id}`, { website_url: `http://localhost:${port}` }, token);
    assert(updated.status === 200, `adaptor update: ${updated.status} ${updated.text}`);
    tab = await t.context.newPage();
    tab.on('console', (message) => consoleLines.push(message.text()));
  });

  await step('snippet: opened as localhost, its page view is recorded', async () => {
    await tab.goto(`http://localhost:${port}/`);
    await waitFor(async () => (await recent()).some((e) => e.event_type === 'page_view'), { what: 'the page view' });
  });

  await step('snippet: opened as 127.0.0.1, the event is kept as rejected and the page may not read the answer', async () => {
    await tab.goto(`http://127.0.0.1:${port}/`);
    const [kept] = await waitFor(async () => {
      const found = await rejected();
      return found.length ? found : null;
    }, { what: 'the rejected event' });
    assert(kept.payload.origin === `http://127.0.0.1:${port}`, `origin kept: ${JSON.stringify(kept.payload)}`);
    await tab.waitForTimeout(500);
    // No adaptor allows this origin, so the answer names no origin for CORS: the browser
    // withholds it from the page (the reason is for the site's admins, in rejected events).
    const cors = consoleLines.filter((line) => /CORS|Access-Control-Allow-Origin/i.test(line));
    assert(cors.length > 0, 'the page read an answer meant for the adaptors\' origins only');
  });

  await step('snippet: once the adaptor allows 127.0.0.1, a re-process accepts the event', async () => {
    const allowed = await api(
      'PUT',
      `/api/adaptors/${adaptor.container_id}`,
      { website_urls: [`http://localhost:${port}`, `http://127.0.0.1:${port}`] },
      token,
    );
    assert(allowed.status === 200, `adaptor update: ${allowed.status} ${allowed.text}`);
    const again = await api('POST', '/api/events/rejected/reprocess', { schema_id: SCHEMA }, token);
    assert(again.status === 200 && again.json.reprocessed >= 1, `reprocess: ${again.status} ${again.text}`);
    await waitFor(async () => (await recent()).filter((e) => e.event_type === 'page_view').length >= 2, {
      what: 'the re-processed page view',
    });
    await tab.close();
    site.close();
  });
}
