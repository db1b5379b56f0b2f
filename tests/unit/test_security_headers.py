"""The pages' Content-Security-Policy: scripts from this server, and the inline scripts of the
built pages on disk by hash, nothing a request could add."""

from __future__ import annotations

import os
from pathlib import Path

from eventlens.api.security_headers import PagePolicy

THEME = 'document.documentElement.classList.add("dark")'
# What a browser computes for THEME (sha256, base64), as CSP Level 2 defines it.
THEME_HASH = "'sha256-+jXBBVrxtk8tcWi34/+64B/q/AmYPxbCP60MxuNQyBo='"


def script_sources(policy: PagePolicy) -> list[str]:
    [script] = [d for d in str(policy).split("; ") if d.startswith("script-src ")]
    return script.split()[1:]


def test_a_page_without_inline_scripts_allows_only_this_servers_scripts(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text('<script src="/config.js"></script><script type="module" src="/a.js"></script>')

    assert script_sources(PagePolicy([page])) == ["'self'"]


def test_an_inline_script_of_the_built_page_is_allowed_by_its_hash(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text(f"<head><script>{THEME}</script></head>")

    assert script_sources(PagePolicy([page])) == ["'self'", THEME_HASH]


def test_a_rebuilt_page_is_read_again(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text(f"<script>{THEME}</script>")
    policy = PagePolicy([page, tmp_path / "missing.html"])
    assert THEME_HASH in script_sources(policy)

    page.write_text('<script src="/theme.js"></script>')
    os.utime(page, (1, 1))

    assert script_sources(policy) == ["'self'"]


def test_pages_may_not_be_framed_nor_post_forms_elsewhere(tmp_path: Path) -> None:
    policy = str(PagePolicy([tmp_path / "index.html"]))

    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self'" in policy
    assert "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy
