"""The dashboard's build as EventLens serves it: the compressed copy the browser accepts, an
ETag per representation answered with 304, client routes falling back to the app page, and a 404
for an asset the build did not write."""

from __future__ import annotations

import asyncio
import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from eventlens.api.dashboard import accepted_encodings, dashboard_router

INDEX = b"<!doctype html><title>EventLens</title><div id=root></div>" * 20
BUNDLE = b"export const answer = 42;\n" * 200
CONFIG = b"window.EVENTLENS_GRAFANA_URL = '';\n"


@dataclass
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes  # as sent, not decoded


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A build: index.html and a bundle with brotli and gzip copies, config.js without."""
    (tmp_path / "assets").mkdir()
    for path, content in (("index.html", INDEX), ("assets/index-abc123.js", BUNDLE)):
        (tmp_path / path).write_bytes(content)
        (tmp_path / f"{path}.br").write_bytes(b"brotli:" + content[:10])
        (tmp_path / f"{path}.gz").write_bytes(gzip.compress(content))
    (tmp_path / "config.js").write_bytes(CONFIG)
    monkeypatch.setenv("EVENTLENS_DASHBOARD_DIR", str(tmp_path))
    return tmp_path


def get(path: str, headers: dict[str, str] | None = None) -> Answer:
    async def go() -> Answer:
        app = FastAPI()
        app.include_router(dashboard_router())
        transport = httpx.ASGITransport(app=app)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://stats.test") as client,
            client.stream("GET", path, headers={"Accept-Encoding": "", **(headers or {})}) as r,
        ):
            body = b"".join([chunk async for chunk in r.aiter_raw()])
            return Answer(r.status_code, r.headers, body)

    return asyncio.run(go())


CHROME = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def test_a_browser_that_takes_brotli_gets_the_builds_brotli_copy(dist: Path) -> None:
    answer = get("/assets/index-abc123.js", CHROME)

    assert answer.status == 200
    assert answer.body == (dist / "assets/index-abc123.js.br").read_bytes()
    assert answer.headers["content-encoding"] == "br"
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert answer.headers["vary"] == "Accept-Encoding"
    assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_a_browser_that_takes_only_gzip_gets_the_gzip_copy(dist: Path) -> None:
    answer = get("/assets/index-abc123.js", {"Accept-Encoding": "gzip"})

    assert answer.headers["content-encoding"] == "gzip"
    assert gzip.decompress(answer.body) == BUNDLE


def test_without_an_accepted_coding_the_file_is_sent_as_built(dist: Path) -> None:
    for accept in ("", "identity", "br;q=0, gzip;q=0"):
        answer = get("/assets/index-abc123.js", {"Accept-Encoding": accept})

        assert answer.body == BUNDLE, accept
        assert "content-encoding" not in answer.headers
        assert answer.headers["vary"] == "Accept-Encoding"


def test_a_compressed_copy_older_than_its_file_is_not_sent(dist: Path) -> None:
    bundle = dist / "assets/index-abc123.js"
    later = bundle.stat().st_mtime_ns + 5_000_000_000
    os.utime(bundle, ns=(later, later))

    answer = get("/assets/index-abc123.js", CHROME)

    assert answer.body == BUNDLE
    assert "content-encoding" not in answer.headers


def test_each_representation_has_its_own_etag_and_a_matching_one_is_answered_304(
    dist: Path,
) -> None:
    brotli = get("/assets/index-abc123.js", CHROME).headers["etag"]
    plain = get("/assets/index-abc123.js").headers["etag"]
    assert brotli != plain

    again = get("/assets/index-abc123.js", {**CHROME, "If-None-Match": brotli})
    assert again.status == 304
    assert again.body == b""
    assert again.headers["etag"] == brotli
    assert again.headers["vary"] == "Accept-Encoding"

    weak = get("/assets/index-abc123.js", {**CHROME, "If-None-Match": f'"other", W/{brotli}'})
    assert weak.status == 304

    other_coding = get("/assets/index-abc123.js", {"If-None-Match": brotli})
    assert other_coding.status == 200
    assert other_coding.body == BUNDLE


def test_an_edited_file_gets_a_new_etag(dist: Path) -> None:
    before = get("/config.js").headers["etag"]
    (dist / "config.js").write_bytes(b"window.EVENTLENS_GRAFANA_URL = 'https://grafana.test';\n")

    after = get("/config.js", {"If-None-Match": before})

    assert after.status == 200
    assert after.headers["etag"] != before
    assert b"grafana.test" in after.body


def test_client_routes_get_the_app_page_compressed_and_revalidated(dist: Path) -> None:
    for path in ("/", "/sites/CAP-123", "/schemas/shop"):
        answer = get(path, {"Accept-Encoding": "gzip"})

        assert answer.status == 200
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        assert gzip.decompress(answer.body) == INDEX
        assert answer.headers["cache-control"] == "no-cache"

    etag = get("/sites/CAP-123").headers["etag"]
    assert get("/events", {"If-None-Match": etag}).status == 304


def test_an_asset_the_build_did_not_write_is_not_found(dist: Path) -> None:
    for path in ("/assets/index-old999.js", "/assets/Overview-gone.css", "/assets/"):
        answer = get(path, CHROME)

        assert answer.status == 404, path
        assert b"<!doctype html>" not in answer.body


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br, zstd", {"br", "gzip"}),
        ("gzip;q=1.0, br;q=0", {"gzip"}),
        ("x-gzip", {"gzip"}),
        ("*", {"br", "gzip"}),
        ("*, br;q=0", {"gzip"}),
        ("identity", set()),
        ("", set()),
        ("br;q=nonsense", set()),
    ],
)
def test_accepted_encodings(header: str, accepted: set[str]) -> None:
    assert accepted_encodings(header) == accepted
