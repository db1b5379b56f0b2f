"""/docs, /redoc and GraphiQL at /graphql load everything from EventLens itself: they work on an
offline or air-gapped network and send no reader's browser to a third party."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.e2e.platform import RunningPlatform, running_on

pytestmark = [pytest.mark.postgres]

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
# An absolute or protocol-relative URL anywhere in a page: in an attribute, a script, a style.
EXTERNAL = re.compile(r"(?:https?:)?//[a-z0-9.-]+", re.IGNORECASE)


class ResourceLinks(HTMLParser):
    """What a page makes the browser fetch: <script src>, <link href>, <img src>, <iframe src>."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src", "iframe": "src"}.get(tag)
        self.urls += [value for name, value in attrs if name == wanted and value]


def resource_links(html: str) -> list[str]:
    parser = ResourceLinks()
    parser.feed(html)
    return parser.urls


@pytest.fixture(scope="module")
def dashboard_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The platform's dashboard build: empty (not built) until a test writes graphiql.html."""
    return tmp_path_factory.mktemp("dashboard-dist")


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str, dashboard_dist: Path
) -> Iterator[RunningPlatform]:
    data_dir = tmp_path_factory.mktemp("docs") / "data"
    with running_on(
        postgres_server, data_dir, EVENTLENS_DASHBOARD_DIR=str(dashboard_dist)
    ) as running:
        yield running


def assert_served_here(platform: RunningPlatform, path: str) -> list[str]:
    """GETs `path` as a browser would; asserts that every file it names is on this server and
    answers 200 with a body. Returns those URLs."""
    page = platform.client.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    links = resource_links(page.text)
    assert links, f"{path} names no script or stylesheet"
    origin = str(platform.client.base_url).rstrip("/")
    for link in links:
        absolute = urljoin(origin + path, link)
        assert urlsplit(absolute).netloc == urlsplit(origin).netloc, f"{path} loads {link}"
        asset = platform.client.get(absolute)
        assert asset.status_code == 200, f"{link}: {asset.status_code}"
        assert asset.content, f"{link} is empty"
    assert EXTERNAL.findall(page.text) == [], f"{path} names another host"
    # What a bundle might still ask for from elsewhere, the browser refuses.
    assert "default-src 'self'" in page.headers["content-security-policy"]
    return links


def test_swagger_ui_loads_its_scripts_and_styles_from_this_server(
    platform: RunningPlatform,
) -> None:
    links = assert_served_here(platform, "/docs")
    assert any(link.endswith(".js") for link in links)
    assert any(link.endswith(".css") for link in links)
    page = platform.client.get("/docs", headers=HTML).text
    assert "SwaggerUIBundle(" in page
    # swagger.io's validator badge would send the document's URL to swagger.io.
    assert '"validatorUrl": "none"' in page


def test_the_openapi_document_swagger_ui_reads_still_loads(platform: RunningPlatform) -> None:
    page = platform.client.get("/docs", headers=HTML).text
    named = re.search(r"url: '([^']+)'", page)
    assert named is not None, "the page names no OpenAPI document"
    document = platform.client.get(named.group(1))
    assert document.status_code == 200
    spec = document.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/auth/login" in spec["paths"]
    # The documentation pages are not operations of the API.
    assert not {"/docs", "/redoc", "/docs/oauth2-redirect"} & set(spec["paths"])


def test_swagger_ui_oauth2_redirect_page_is_served(platform: RunningPlatform) -> None:
    page = platform.client.get("/docs/oauth2-redirect", headers=HTML)
    assert page.status_code == 200
    assert EXTERNAL.findall(page.text) == []


def test_redoc_loads_its_script_from_this_server(platform: RunningPlatform) -> None:
    links = assert_served_here(platform, "/redoc")
    assert any(link.endswith("redoc.standalone.js") for link in links)
    assert "fonts.googleapis.com" not in platform.client.get("/redoc", headers=HTML).text


def test_an_unknown_docs_file_is_not_found(platform: RunningPlatform) -> None:
    assert platform.client.get("/docs/assets/no-such-file.js").status_code == 404


def test_graphiql_without_a_dashboard_build_says_so_in_a_self_contained_page(
    platform: RunningPlatform, dashboard_dist: Path
) -> None:
    assert not (dashboard_dist / "graphiql.html").exists()
    page = platform.client.get("/graphql", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "GraphiQL needs the dashboard build" in page.text
    assert resource_links(page.text) == []  # loads nothing, not even from this server
    assert EXTERNAL.findall(page.text) == []


def test_graphiql_is_the_dashboard_builds_page(
    platform: RunningPlatform, dashboard_dist: Path
) -> None:
    built = (
        "<!doctype html><title>GraphiQL · EventLens</title>"
        '<div id="graphiql"></div><script type="module" src="/assets/graphiql-abc123.js"></script>'
    )
    (dashboard_dist / "graphiql.html").write_text(built, encoding="utf-8")
    try:
        page = platform.client.get("/graphql", headers=HTML)
        assert page.status_code == 200
        assert page.text == built  # read at each request: no restart after a build
        assert EXTERNAL.findall(page.text) == []
    finally:
        (dashboard_dist / "graphiql.html").unlink()


def test_graphql_requests_are_unchanged(platform: RunningPlatform) -> None:
    """Only a browser's page load gets the page: queries, also over GET, get JSON."""
    query = "{ me { username } }"
    posted = platform.client.post("/graphql", json={"query": query}, headers=platform.auth())
    assert posted.status_code == 200
    assert posted.json() == {"data": {"me": {"username": "admin"}}}
    got = platform.client.get(
        "/graphql", params={"query": query}, headers={**HTML, **platform.auth()}
    )
    assert got.json() == {"data": {"me": {"username": "admin"}}}
