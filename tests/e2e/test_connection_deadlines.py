"""A connection that stops making progress is closed, and nobody holds more connections than
the limits allow: a slow request head, a slow body and an idle socket are each dropped after
their deadline, and one address cannot open more than its share."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.platform import RunningPlatform, running_on

pytestmark = [pytest.mark.postgres]

HEADER_S, BODY_S, IDLE_S = 2, 4, 2
PER_ADDRESS = 6
SWEEP_SLACK = 2.5  # the deadlines are checked once a second


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    data_dir: Path = tmp_path_factory.mktemp("deadlines") / "data"
    with running_on(
        postgres_server,
        data_dir,
        EVENTLENS_API_PROCESSES="1",
        EVENTLENS_HEADER_TIMEOUT_S=str(HEADER_S),
        EVENTLENS_BODY_TIMEOUT_S=str(BODY_S),
        EVENTLENS_IDLE_TIMEOUT_S=str(IDLE_S),
        EVENTLENS_MAX_CONNECTIONS_PER_ADDRESS=str(PER_ADDRESS),
        # No trusted proxy: loopback connections count as one address's, like any client's.
        FORWARDED_ALLOW_IPS="",
    ) as running:
        yield running


def connect(platform: RunningPlatform) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", platform.port), timeout=30)
    return sock


def closed_after(sock: socket.socket, seconds: float) -> tuple[float, bytes]:
    """Read until the server closes the connection: when (seconds from now) and what it said."""
    started = time.monotonic()
    sock.settimeout(seconds)
    said = b""
    try:
        while chunk := sock.recv(4096):
            said += chunk
    except TimeoutError:
        return float("inf"), said
    except ConnectionResetError:
        pass
    return time.monotonic() - started, said


def trickle(sock: socket.socket, data: bytes, every: float) -> None:
    """Send `data` a byte every `every` seconds, until the server answers or closes."""
    for byte in data:
        answered, _, _ = select.select([sock], [], [], every)
        if answered:
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return


def test_a_socket_that_sends_nothing_is_closed_after_the_idle_deadline(
    platform: RunningPlatform,
) -> None:
    with connect(platform) as sock:
        after, said = closed_after(sock, 30)
    assert after < IDLE_S + SWEEP_SLACK
    assert said == b""


def test_a_request_head_sent_a_byte_at_a_time_is_answered_408_at_its_deadline(
    platform: RunningPlatform,
) -> None:
    head = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"a" * 100
    with connect(platform) as sock:
        started = time.monotonic()
        trickle(sock, head, 0.5)
        _, said = closed_after(sock, 30)
        elapsed = time.monotonic() - started
    assert said.startswith(b"HTTP/1.1 408 ")
    assert elapsed < HEADER_S + SWEEP_SLACK + 3


def test_a_body_sent_a_byte_every_three_seconds_is_cut_off_at_its_deadline(
    platform: RunningPlatform,
) -> None:
    body = b'{"event_type": "page_view", "properties": {}}'
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    with connect(platform) as sock:
        sock.sendall(head)
        started = time.monotonic()
        trickle(sock, body[:5], 3.0)
        closed_after(sock, 30)
        elapsed = time.monotonic() - started
    assert elapsed < BODY_S + SWEEP_SLACK + 3


def test_a_kept_alive_connection_is_closed_after_the_idle_deadline(
    platform: RunningPlatform,
) -> None:
    with connect(platform) as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        answer = sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200 ")
        after, _ = closed_after(sock, 30)
    assert after < IDLE_S + SWEEP_SLACK


def test_one_address_cannot_open_more_than_its_share_of_connections(
    platform: RunningPlatform,
) -> None:
    time.sleep(IDLE_S + SWEEP_SLACK)  # the harness's own kept-alive connection is gone
    held = [connect(platform) for _ in range(PER_ADDRESS)]
    try:
        for sock in held:  # each is served
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
        with connect(platform) as extra:
            _, said = closed_after(extra, 10)
        assert said.startswith(b"HTTP/1.1 429 ")
        assert b"limit of %d open connections" % PER_ADDRESS in said
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.5)
    with connect(platform) as again:  # the address's connections were counted out
        again.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert again.recv(4096).startswith(b"HTTP/1.1 200 ")


def test_a_trusted_proxy_is_not_limited_per_address_but_the_server_keeps_its_limit(
    tmp_path: Path, postgres_server: str
) -> None:
    with running_on(
        postgres_server,
        tmp_path / "data",
        EVENTLENS_API_PROCESSES="1",
        EVENTLENS_IDLE_TIMEOUT_S="4",  # long enough to hold eight connections
        EVENTLENS_MAX_CONNECTIONS="8",
        EVENTLENS_MAX_CONNECTIONS_PER_ADDRESS="2",
        FORWARDED_ALLOW_IPS="127.0.0.1",  # the clients behind this proxy share its address
    ) as platform:
        time.sleep(4 + SWEEP_SLACK)  # the harness's own kept-alive connection is gone
        held = [connect(platform) for _ in range(8)]
        try:
            for sock in held:
                sock.sendall(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
                assert sock.recv(4096).startswith(b"HTTP/1.1 200 ")
            with connect(platform) as extra:
                _, said = closed_after(extra, 10)
        finally:
            for sock in held:
                sock.close()
    assert said.startswith(b"HTTP/1.1 503 ")
    assert b"limit of 8 connections" in said
