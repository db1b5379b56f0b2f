/*
 * EventLens tracker, served at /t.js. Installed with one tag:
 *   <script defer src="https://HOST/t.js" data-site="CAP-XXXXXX"></script>
 * It keeps nothing in the browser: no cookie, no storage, except the visitor's own opt-out
 * (eventlens.optOut(): localStorage.eventlens_ignore = "true"). docs/TRACKER.md describes every
 * option.
 */
((win, doc, loc, nav, script) => {
  const options = script.dataset;
  const on = (target, type, listener) => target.addEventListener(type, listener, true);
  const endpoint = (options.api || new URL(script.src).origin).replace(/\/+$/, '') + '/api/events/batch';
  const hashRouting = 'hash' in options;
  const downloads = RegExp(
    '\\.(' +
      (options.downloads || 'pdf,xlsx,docx,txt,rtf,csv,exe,key,pps,ppt,pptx,7z,pkg,rar,gz,zip,avi,mov,mp4,mpeg,wmv,midi,mp3,wav,wma,dmg').replace(/,/g, '|') +
      ')$',
    'i',
  );
  // Loopback addresses, and file: pages (an empty host name). A tag without data-site still
  // sends: the server keeps such events as rejected, which shows the mistake.
  const ignored =
    (!('local' in options) && /^(localhost|127\.|\[::1\]|$)/.test(loc.hostname)) ||
    ('respectDnt' in options && (nav.globalPrivacyControl || nav.doNotTrack == '1'));
  // Sent only when true (JSON leaves undefined out).
  const automated = (nav.webdriver && !('trackAutomation' in options)) || undefined;

  // A string body goes as text/plain: no CORS preflight, for fetch and sendBeacon alike.
  // Retried after 1, 2, 4 and 8 s: at least the Retry-After the ingest answers with.
  const post = (body, attempt) => {
    const retry = () => attempt < 4 && setTimeout(post, 1000 << attempt, body, attempt + 1);
    fetch(endpoint, { method: 'POST', body, keepalive: true }).then((response) => /^5|429/.test(response.status) && retry(), retry);
  };

  const queue = [];
  const flush = (leaving) => {
    while (queue.length) {
      const body = JSON.stringify({ events: queue.splice(0, 25) });
      if (!leaving || !nav.sendBeacon(endpoint, body)) post(body, 0);
    }
  };

  // The landing page's events carry document.referrer; an SPA route's do not (the previous
  // route is not a referrer).
  let referrer = doc.referrer || null;

  const here = () => (hashRouting ? loc.href : loc.href.split('#')[0]);

  const send = (type, properties, url = here()) => {
    try {
      if (ignored || localStorage.eventlens_ignore == 'true') return;
    } catch (e) {}
    // A version-7 UUID: the millisecond, then random bits (ids made together sort together).
    // Date.now() has 11 hexadecimal digits until the year 2527.
    let i = 0;
    const time = Date.now().toString(16);
    const random = crypto.getRandomValues(new Uint8Array(32));
    const event = {
      event_id: '0xxxxxxx-xxxx-7xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => (i < 11 ? time[i] : random[i] & 15).toString(16, i++)),
      container_id: options.site,
      event_type: type,
      url,
      referrer,
      screen_width: innerWidth,
      timestamp: new Date().toISOString(),
      properties: properties || {},
      automated,
    };
    // The first event queued starts the clock; a flush on leaving may come first.
    if (queue.push(event) == 1) setTimeout(flush, 1000);
  };

  // The current page's engagement: time visible and focused, deepest scroll; sent once
  // (engagedMs is NaN once sent).
  let engagedMs;
  let activeSince;
  let scrollDepth;
  let pageUrl;
  const measure = () => {
    const now = Date.now();
    engagedMs += activeSince && now - activeSince;
    activeSince = doc.hasFocus() && now;
    scrollDepth = Math.max(scrollDepth, Math.min(100, Math.round(((scrollY + innerHeight) / doc.documentElement.scrollHeight) * 100)));
  };
  const sendEngagement = () => {
    measure();
    if (engagedMs > 0) {
      // By a route's engagement the location has moved on to the next route.
      send('engagement', { engaged_ms: engagedMs, scroll_depth: scrollDepth }, pageUrl);
      engagedMs = NaN;
    }
  };
  const leave = () => {
    sendEngagement();
    flush(1);
  };

  let page;
  const pageView = () => {
    const current = loc.pathname + (hashRouting ? loc.hash : '');
    if (current != page) {
      if (page) {
        sendEngagement();
        referrer = null;
      }
      page = current;
      pageUrl = here();
      engagedMs = activeSince = 0;
      measure();
      scrollDepth = 0;
      send('page_view');
    }
  };

  // Clicks (a middle click is an auxclick with button 1) and form submissions. An element
  // tagged with data-event counts on click, a tagged form on submit.
  const interact = (e) => {
    if (!(e.button > 1)) {
      const element = e.target.closest('[data-event]');
      const link = e.target.closest('a[href]');
      if (element && (element.tagName == 'FORM') == (e.type == 'submit')) {
        const properties = {};
        for (const { name, value } of element.attributes) {
          if (name.startsWith('data-prop-')) properties[name.slice(10)] = value;
        }
        send(element.dataset.event, properties);
      }
      if (link && /^http/.test(link.protocol)) {
        const download = downloads.test(link.pathname);
        if (download || link.host != loc.host) send(download ? 'file_download' : 'outbound_click', { url: link.href });
      }
    }
  };

  for (const method of ['pushState', 'replaceState']) {
    const original = history[method];
    history[method] = function () {
      original.apply(this, arguments);
      pageView();
    };
  }
  on(win, 'popstate', pageView);
  if (hashRouting) on(win, 'hashchange', pageView);
  on(win, 'pagehide', leave);
  on(doc, 'visibilitychange', () => (doc.hidden ? leave() : measure()));
  for (const type of ['focus', 'blur', 'scroll']) on(win, type, measure);
  for (const type of ['click', 'auxclick', 'submit']) on(doc, type, interact);

  // The public API: eventlens.track(type, properties). Calls queued by the stub before the
  // script loaded, eventlens('track', type, properties), are sent after the first page view.
  const stub = win.eventlens;
  const api = (win.eventlens = (command, ...track) => command == 'track' && send(...track));
  api.track = send;
  // The visitor's own opt-out, the one flag the tracker keeps: nothing is sent after optOut().
  api.optOut = (out = true) => (localStorage.eventlens_ignore = out);
  pageView();
  for (const call of (stub && stub.q) || []) api(...call);
})(window, document, location, navigator, document.currentScript);
