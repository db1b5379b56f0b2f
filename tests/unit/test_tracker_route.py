"""The tracker script as EventLens serves it: at /t.js and at the operator's second path, with
a version, an ETag, gzip when the browser takes it, and a clear refusal of a path that another
route answers."""

from __future__ import annotations

import asyncio
import gzip

import httpx
import pytest

from eventlens.api.app import create_app
from eventlens.api.tracker import SCRIPT_FILE, TrackerScript, accepts_gzip, check_tracker_path
from eventlens.config import Settings

BUILT = SCRIPT_FILE.read_bytes()
SCRIPT = TrackerScript.of(BUILT)


def request(
    method: str, path: str, headers: dict[str, str] | None = None, tracker_path: str | None = None
) -> httpx.Response:
    """One request to the whole application (as `eventlens up` builds it, not started)."""

    async def go() -> httpx.Response:
        app = create_app(Settings(tracker_path=tracker_path), run_workers=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://stats.test") as client:
            # Leave the body as sent: the tests look at the encoding.
            headers_sent = {"Accept-Encoding": "identity", **(headers or {})}
            return await client.request(method, path, headers=headers_sent)

    return asyncio.run(go())


def test_the_script_is_served_at_t_js_as_javascript_cached_for_a_day() -> None:
    response = request("GET", "/t.js")

    assert response.status_code == 200
    assert response.content == BUILT
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert response.headers["etag"] == f'"{SCRIPT.version}"'
    assert response.headers["vary"] == "Accept-Encoding"
    assert "content-encoding" not in response.headers
    assert "set-cookie" not in response.headers


def test_a_browser_that_takes_gzip_gets_it_with_its_own_etag() -> None:
    response = request("GET", "/t.js", {"Accept-Encoding": "gzip, deflate, br"})

    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) == len(gzip.compress(BUILT, 9)) < len(BUILT)
    assert response.content == BUILT  # as the client decoded it
    assert response.headers["etag"] == f'"{SCRIPT.version}-gzip"'
    assert response.headers["vary"] == "Accept-Encoding"


@pytest.mark.parametrize(
    ("accept_encoding", "takes_gzip"),
    [
        ("gzip", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("*", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("deflate, *;q=0", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_gzip_is_chosen_by_the_accept_encoding_header(
    accept_encoding: str, takes_gzip: bool
) -> None:
    assert accepts_gzip(accept_encoding) is takes_gzip


@pytest.mark.parametrize(
    "if_none_match",
    [
        f'"{SCRIPT.version}"',
        f'"{SCRIPT.version}-gzip"',
        f'W/"{SCRIPT.version}-gzip"',
        f'"an-older-build", "{SCRIPT.version}"',
        "*",
    ],
)
def test_a_browser_holding_this_build_is_answered_304_without_a_body(if_none_match: str) -> None:
    response = request("GET", "/t.js", {"If-None-Match": if_none_match})

    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == f'"{SCRIPT.version}"'
    assert response.headers["cache-control"] == "public, max-age=86400"


def test_a_browser_holding_another_build_gets_this_one() -> None:
    response = request("GET", "/t.js", {"If-None-Match": '"an-older-build"'})

    assert response.status_code == 200
    assert response.content == BUILT


def test_a_request_naming_this_version_may_be_kept_for_a_year() -> None:
    current = request("GET", f"/t.js?v={SCRIPT.version}")
    other = request("GET", "/t.js?v=0123456789abcdef")

    assert current.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert other.headers["cache-control"] == "public, max-age=86400"
    assert other.content == BUILT


def test_head_answers_the_headers_of_get() -> None:
    response = request("HEAD", "/t.js")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["content-length"] == str(len(BUILT))
    assert response.headers["etag"] == f'"{SCRIPT.version}"'


def test_the_version_changes_with_the_script() -> None:
    assert TrackerScript.of(BUILT + b";").version != SCRIPT.version
    assert TrackerScript.of(BUILT).version == SCRIPT.version


def test_the_second_path_serves_the_same_script_and_t_js_stays() -> None:
    second = request("GET", "/js/site.js", tracker_path="/js/site.js")
    first = request("GET", "/t.js", tracker_path="/js/site.js")

    assert second.status_code == 200
    assert second.content == BUILT
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == "text/javascript; charset=utf-8"


def test_without_a_second_path_another_path_is_not_the_script() -> None:
    response = request("GET", "/js/site.js")

    assert response.content != BUILT


@pytest.mark.parametrize(
    ("path", "complaint"),
    [
        ("js/site.js", "must start with '/'"),
        ("/", "segments"),
        ("/js/", "segments"),
        ("/js//site.js", "segments"),
        ("/js/../t.js", "segments"),
        ("/js/site.js?v=1", "segments"),
        ("/js/my site.js", "segments"),
        ("/api/t.js", "under /api"),
        ("/graphql", "under /graphql"),
        ("/metrics", "under /metrics"),
        ("/docs/t.js", "under /docs"),
        ("/health", "under /health"),
        ("/assets/t.js", "under /assets"),
        ("/adaptors/t.js", "under /adaptors"),
        ("/settings", "under /settings"),
        ("/index.html", "under /index.html"),
    ],
)
def test_a_path_another_route_answers_or_no_path_is_refused_saying_why(
    path: str, complaint: str
) -> None:
    with pytest.raises(ValueError) as refused:
        check_tracker_path(path)

    assert complaint in str(refused.value)


@pytest.mark.parametrize("path", ["/js/site.js", "/s.js", "/static/v2/app-min.js", "/t.js"])
def test_a_path_of_its_own_is_accepted(path: str) -> None:
    assert check_tracker_path(path) == path


def test_a_bad_second_path_stops_the_start_naming_the_setting() -> None:
    with pytest.raises(SystemExit, match=r"EVENTLENS_TRACKER_PATH: '/api/t.js' is under /api"):
        create_app(Settings(tracker_path="/api/t.js"), run_workers=False)
