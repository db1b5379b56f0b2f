"""A client that sends its whole body before reading the answer (Python's urllib, many SDKs)
reads the 413 of an oversized body, not a reset: the server reads and discards the rest of the
body, within bounds of bytes and time, before closing. A client that never stops sending is
cut off at those bounds."""

from __future__ import annotations

import json
import select
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator

import pytest

from tests.e2e.platform import RunningPlatform, running_on

pytestmark = [pytest.mark.postgres]

FIVE_MB = 5 * 1024 * 1024
LINGER_S = 3.0  # ConnectionLimits.linger_timeout
LINGER_BYTES = 8 * 1024 * 1024  # ConnectionLimits.linger_bytes
SWEEP_SLACK = 2.5  # the deadlines are checked once a second


@pytest.fixture(scope="module")
def platform(
    tmp_path_factory: pytest.TempPathFactory, postgres_server: str
) -> Iterator[RunningPlatform]:
    data_dir = tmp_path_factory.mktemp("oversized") / "data"
    with running_on(postgres_server, data_dir, EVENTLENS_API_PROCESSES="1") as running:
        yield running


def post_with_urllib(platform: RunningPlatform, path: str, body: bytes | Iterable[bytes]) -> int:
    """POST as urllib does (the whole body, then the answer); the status, with the body
    checked to be the documented JSON error when it is a 413."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{platform.port}{path}",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        answer = json.loads(error.read())
        assert answer["error"]["status"] == error.code
        if error.code == 413:
            assert answer["error"]["code"] == "payload_too_large"
        return int(error.code)


def five_mb_of_json() -> bytes:
    return b'{"events": [' + b'"x",' * (FIVE_MB // 4) + b'"x"]}'


@pytest.mark.parametrize(
    "path", ["/api/events/ingest", "/api/events/batch", "/api/event", "/api/schemas/"]
)
def test_a_five_megabyte_body_sent_whole_before_reading_gets_the_413(
    platform: RunningPlatform, path: str
) -> None:
    assert post_with_urllib(platform, path, five_mb_of_json()) == 413


@pytest.mark.parametrize("path", ["/api/events/ingest", "/api/events/batch", "/api/schemas/"])
def test_a_chunked_body_of_no_declared_length_gets_the_413_once_past_the_limit(
    platform: RunningPlatform, path: str
) -> None:
    body = five_mb_of_json()
    chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
    assert post_with_urllib(platform, path, chunks) == 413


def test_the_connection_serves_again_after_a_413_when_the_client_keeps_it(
    platform: RunningPlatform,
) -> None:
    body = b"x" * (2 * 1024 * 1024)
    head = (
        b"POST /api/schemas/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    with socket.create_connection(("127.0.0.1", platform.port), timeout=30) as sock:
        sock.sendall(head + body + b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")
        said = read_until_closed_or(sock, b"HTTP/1.1 200 ", 30)
    assert said.startswith(b"HTTP/1.1 413 ")
    assert b"HTTP/1.1 200 " in said


@pytest.mark.parametrize("path", [b"/api/events/ingest", b"/api/schemas/"])
def test_an_endless_body_trickled_after_its_413_is_cut_off_within_the_linger_time(
    platform: RunningPlatform, path: bytes
) -> None:
    head = (
        b"POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000\r\n\r\n" % path
    )
    with socket.create_connection(("127.0.0.1", platform.port), timeout=30) as sock:
        sock.sendall(head)
        started = time.monotonic()
        said = b""
        closed = False
        while not closed and time.monotonic() - started < 30:
            readable, _, _ = select.select([sock], [], [], 0.2)
            if readable:
                try:
                    chunk = sock.recv(65536)
                except ConnectionResetError:
                    chunk = b""
                said += chunk
                closed = not chunk
            else:
                try:
                    sock.sendall(b"x" * 100)
                except OSError:
                    closed = True
        elapsed = time.monotonic() - started
    assert said.startswith(b"HTTP/1.1 413 ")
    assert closed
    assert elapsed < LINGER_S + SWEEP_SLACK + 2


def test_an_endless_body_sent_at_full_speed_is_cut_off_after_the_linger_bytes(
    platform: RunningPlatform,
) -> None:
    head = (
        b"POST /api/events/batch HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000000\r\n\r\n"
    )
    sent = 0
    chunk = b"x" * 65536
    with socket.create_connection(("127.0.0.1", platform.port), timeout=30) as sock:
        sock.sendall(head)
        try:
            while sent < 20 * LINGER_BYTES:
                sock.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
    assert sent < 4 * LINGER_BYTES  # what the kernels buffer besides is far less than this


def read_until_closed_or(sock: socket.socket, marker: bytes, seconds: float) -> bytes:
    sock.settimeout(seconds)
    said = b""
    try:
        while marker not in said[13:] and (chunk := sock.recv(65536)):
            said += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return said
