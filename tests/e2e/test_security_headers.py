"""Browser hardening headers on a running platform: every answer of the API and the dashboard
has them, pages may load only from this server and may not be framed, HTTPS is pinned only
when the request came over TLS, and what other sites embed stays usable from them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.platform import RunningPlatform, running_on

pytestmark = [pytest.mark.postgres]

# A built dashboard's page as the build writes it (the tests run before the dashboard is built).
BUILT_PAGE = """<!doctype html><html><head><title>EventLens</title>
<script>document.documentElement.dataset.theme = "light";</script>
<script type="module" src="/assets/index.js"></script></head>
<body><div id="root"></div></body></html>"""


@pytest.fixture(scope="module")
def shared_platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    dist = tmp_path_factory.mktemp("dashboard-dist")
    (dist / "index.html").write_text(BUILT_PAGE, encoding="utf-8")
    data_dir = tmp_path_factory.mktemp("security-headers") / "data"
    with running_on(postgres_server, data_dir, EVENTLENS_DASHBOARD_DIR=str(dist)) as running:
        yield running


HARDENING = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def directives(policy: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


@pytest.mark.parametrize(
    "path", ["/", "/login", "/sites/CAP-AAAAAA", "/graphql", "/docs", "/redoc"]
)
def test_pages_load_only_from_this_server_and_cannot_be_framed(
    shared_platform: RunningPlatform, path: str
) -> None:
    page = shared_platform.client.get(path, headers={"Accept": "text/html"})

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    policy = directives(page.headers["content-security-policy"])
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert "http" not in page.headers["content-security-policy"]  # no other host
    for name, value in HARDENING.items():
        assert page.headers[name] == value


@pytest.mark.parametrize("path", ["/", "/graphql"])
def test_the_dashboard_and_graphiql_run_no_inline_script_but_their_own(
    shared_platform: RunningPlatform, path: str
) -> None:
    page = shared_platform.client.get(path, headers={"Accept": "text/html"})

    script_src = directives(page.headers["content-security-policy"])["script-src"].split()
    assert script_src[0] == "'self'"
    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src
    assert all(source.startswith("'sha256-") for source in script_src[1:])


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/health"), ("GET", "/api/auth/me"), ("POST", "/graphql"), ("GET", "/api/nowhere")],
)
def test_api_answers_carry_the_headers_and_allow_nothing_to_run(
    shared_platform: RunningPlatform, method: str, path: str
) -> None:
    answer = shared_platform.client.request(method, path, json={"query": "{ me { username } }"})

    assert answer.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    for name, value in HARDENING.items():
        assert answer.headers[name] == value
    assert "strict-transport-security" not in answer.headers


def test_https_is_pinned_only_when_the_request_came_over_tls(
    shared_platform: RunningPlatform,
) -> None:
    # The test client is the trusted proxy (127.0.0.1): it says the browser used HTTPS.
    over_tls = shared_platform.client.get("/health", headers={"X-Forwarded-Proto": "https"})
    over_http = shared_platform.client.get("/health")

    assert over_tls.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in over_http.headers


def test_a_revalidated_page_keeps_the_policy_the_browser_stored_with_it(
    shared_platform: RunningPlatform,
) -> None:
    first = shared_platform.client.get("/")
    again = shared_platform.client.get("/", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    # A 304's headers replace the stored copy's: a resource policy here would blank the page.
    assert "content-security-policy" not in again.headers


def test_the_tracker_script_stays_loadable_by_other_sites(
    shared_platform: RunningPlatform,
) -> None:
    script = shared_platform.client.get("/t.js", headers={"Origin": "https://blog.example"})

    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")  # right type: nosniff
    assert script.headers["x-content-type-options"] == "nosniff"
    assert script.headers["cross-origin-resource-policy"] == "cross-origin"
