"""Webhooks are requests the server makes to addresses users typed: the guards against SSRF."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from eventlens.alerting.delivery import DeliveryFailed, WebhookSender
from tests.receivers import webhook_receiver


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://10.0.0.7/hook",
        "http://[::1]:9/hook",
    ],
)
def test_given_no_allow_list_then_a_host_inside_the_network_is_refused_before_any_request(
    url: str,
) -> None:
    with pytest.raises(DeliveryFailed, match="inside the network"):
        WebhookSender(None).post(url, {"status": "firing"})


def test_given_a_scheme_other_than_http_then_nothing_is_sent() -> None:
    with pytest.raises(DeliveryFailed, match="not an http"):
        WebhookSender("*").post("file:///etc/passwd", {})


def test_given_the_host_on_the_allow_list_then_it_is_reached() -> None:
    with webhook_receiver() as (hooks, url):
        WebhookSender("example.org, 127.0.0.1").post(url, {"status": "firing"})
    assert hooks.calls == [{"status": "firing"}]


@pytest.fixture
def redirecting() -> Iterator[str]:
    """A server that answers every POST with a redirect to the cloud metadata address."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def test_a_redirect_is_not_followed(redirecting: str) -> None:
    with pytest.raises(DeliveryFailed, match="answered 307"):
        WebhookSender("127.0.0.1").post(redirecting, {"status": "firing"})


def test_an_answer_outside_2xx_is_a_failure_to_retry() -> None:
    with webhook_receiver() as (hooks, url):
        hooks.status = 500
        with pytest.raises(DeliveryFailed, match="answered 500"):
            WebhookSender("127.0.0.1").post(url, {})
