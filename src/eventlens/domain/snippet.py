"""What an adaptor hands out to paste into a site.

- The tag (`render_tag`): one `<script>` loading the tracker served at `/t.js`, which keeps
  nothing in the visitor's browser.
- The inline snippet (`render_snippet`): the seed's snippet, made sturdier, for identified
  tracking on sites that have the visitor's consent: it keeps a random user id in
  `localStorage` and a session id in `sessionStorage`. It sends the seed's body to the ingest
  endpoint, adds a client-generated `event_id` so retries are recorded once, and uses
  `fetch(..., {keepalive: true})` with a `text/plain` body so that no CORS preflight is needed
  and events survive page unloads.
"""

from __future__ import annotations

import html
import json

TRACKER_PATH = "/t.js"

TEMPLATE = """<script>
(function() {
  const CONFIG = {
    apiUrl: %(api_url)s,
    schemaId: %(schema_id)s,
    containerId: %(container_id)s
  };

  // A time-ordered UUID (version 7): the millisecond, then random bits.
  function eventId() {
    const bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.random() * 256 | 0;
    let ms = Date.now();
    for (let i = 5; i >= 0; i--) { bytes[i] = ms %% 256; ms = Math.floor(ms / 256); }
    bytes[6] = (bytes[6] & 0x0f) | 0x70;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, function(b) {
      return (b + 0x100).toString(16).slice(1);
    }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' +
      hex.slice(16, 20) + '-' + hex.slice(20);
  }

  function stored(storage, key, prefix) {
    try {
      let value = storage.getItem(key);
      if (!value) {
        value = prefix + Date.now() + '_' + Math.random().toString(36).slice(2, 11);
        storage.setItem(key, value);
      }
      return value;
    } catch (e) {
      return prefix + 'anonymous';
    }
  }

  function send(body, attempt) {
    function retry() {
      if (attempt >= 3) return;
      setTimeout(function() { send(body, attempt + 1); }, 500 * Math.pow(2, attempt));
    }
    fetch(CONFIG.apiUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: body,
      keepalive: true
    }).then(function(response) {
      if (response.status >= 500) retry();
    }).catch(retry);
  }

  function trackEvent(eventType, properties) {
    const now = new Date().toISOString();
    send(JSON.stringify({
      event_id: eventId(),
      schema_id: CONFIG.schemaId,
      event_type: eventType,
      user_id: stored(localStorage, 'analytics_user', 'user_'),
      session_id: stored(sessionStorage, 'analytics_session', 'session_'),
      timestamp: now,
      properties: Object.assign({}, properties || {}, {
        tracked_at: now,
        page_url: window.location.href,
        page_path: window.location.pathname,
        container_id: CONFIG.containerId
      }),
      metadata: {}
    }), 0);
  }

  window.eventlens = { track: trackEvent };

  trackEvent('page_view', { page_title: document.title });

  document.addEventListener('click', function(e) {
    const target = e.target.closest && e.target.closest('a');
    if (!target) return;
    const href = target.getAttribute('href') || '';
    const text = target.textContent.trim();
    if (href.includes('github.com')) {
      trackEvent('github_project_click', { link_text: text, href: href });
    } else if (href.includes('linkedin')) {
      trackEvent('linkedin_profile_click', { link_text: text, href: href });
    } else if (href.startsWith('mailto:')) {
      trackEvent('email_link_click', { link_text: text });
    } else if (/^https?:\\/\\//.test(href) && !href.startsWith(window.location.origin)) {
      trackEvent('external_link_click', { link_text: text, href: href });
    }
  }, true);
})();
</script>
"""


def render_snippet(api_base: str, schema_id: str, container_id: str) -> str:
    return TEMPLATE % {
        "api_url": json.dumps(api_base.rstrip("/") + "/api/events/ingest"),
        "schema_id": json.dumps(schema_id),
        "container_id": json.dumps(container_id),
    }


def render_tag(api_base: str, container_id: str, script_path: str = TRACKER_PATH) -> str:
    """`<script defer src="{api_base}{script_path}" data-site="{container_id}"></script>`."""
    src = api_base.rstrip("/") + script_path
    return (
        f'<script defer src="{html.escape(src)}" data-site="{html.escape(container_id)}"></script>'
    )
