"""The adaptor's inline snippet, run as a browser would run it, records events with time-ordered
ids."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid

import pytest

from tests import services
from tests.e2e.platform import RunningPlatform

pytestmark = [pytest.mark.postgres]

# Just enough of a page for the snippet: a location, storage, a document and Web Crypto.
PAGE = """
const storage = () => { const m = new Map(); return {
  getItem: k => m.has(k) ? m.get(k) : null, setItem: (k, v) => m.set(k, String(v)) }; };
globalThis.window = globalThis;
globalThis.location = { href: 'http://localhost:8080/about', pathname: '/about',
                        origin: 'http://localhost:8080' };
globalThis.localStorage = storage();
globalThis.sessionStorage = storage();
globalThis.document = { title: 'About', addEventListener: () => {} };
"""


def test_the_snippet_sends_a_page_view_with_a_version_7_event_id(
    shared_platform: RunningPlatform,
) -> None:
    node = shutil.which("node")
    if node is None:
        services.unavailable("node", "it runs the tracking snippet")
    container_id = shared_platform.setup_seed_site()
    [adaptor] = [
        a
        for a in shared_platform.client.get("/api/adaptors/", headers=shared_platform.auth()).json()
        if a["container_id"] == container_id
    ]
    script = adaptor["inline_snippet"].split("<script>", 1)[1].rsplit("</script>", 1)[0]
    before_ms = int(time.time() * 1000)

    subprocess.run([node, "-e", PAGE + script], check=True, timeout=30)

    [event] = [
        e
        for e in shared_platform.wait_for_recent(1)
        if e["container_id"] == container_id and e["event_type"] == "page_view"
    ]
    event_id = uuid.UUID(event["event_id"])
    assert event_id.version == 7
    assert before_ms <= int(event_id.hex[:12], 16) <= int(time.time() * 1000)
    assert event["properties"]["page_path"] == "/about"
    assert event["properties"]["page_title"] == "About"
