"""Ingest over HTTP/1.1 as clients really speak it: pipelining, keep-alive and its end,
`Expect: 100-continue`, chunked and oversized bodies, HEAD.

The ingest endpoints are served by EventLens's own HTTP protocol rather than through ASGI;
these tests talk to `eventlens up` over a raw socket so that every byte on the wire is seen.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.platform import RunningPlatform, snippet_body

pytestmark = [pytest.mark.postgres]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, object]:
        data: dict[str, object] = json.loads(self.body)
        return data


class Connection:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        self.buffer += chunk
        return bool(chunk)

    def read(self, head: bool = False) -> Response:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError("closed before a response")
        raw_head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
        length = 0 if head else int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill():
                raise ConnectionError("closed in a response body")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Response(int(status_line.split(" ")[1]), headers, body)

    def closed_by_server(self) -> bool:
        """Whether the server closed the connection (and sent nothing more)."""
        try:
            return not self.buffer and not self._fill()
        except ConnectionResetError:  # closed with bytes of ours still unread: a reset
            return not self.buffer
        except TimeoutError:  # still open
            return False

    def close(self) -> None:
        self.sock.close()


def request(
    path: str,
    body: bytes | None = None,
    *,
    method: str = "POST",
    version: str = "1.1",
    headers: dict[str, str] | None = None,
) -> bytes:
    lines = [f"{method} {path} HTTP/{version}", "Host: 127.0.0.1"]
    # A client names itself: a request without a User-Agent is a bot's, not recorded.
    fields = {"Content-Type": "application/json", "User-Agent": "raw-socket/1", **(headers or {})}
    if body is not None and "Transfer-Encoding" not in fields:
        fields["Content-Length"] = str(len(body))
    lines += [f"{name}: {value}" for name, value in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


def event(container_id: str) -> tuple[str, bytes]:
    event_id = str(uuid.uuid4())
    return event_id, json.dumps(snippet_body(container_id, event_id=event_id)).encode()


@pytest.fixture(scope="module")
def site(shared_platform: RunningPlatform) -> str:
    return shared_platform.setup_seed_site()


@pytest.fixture
def conn(shared_platform: RunningPlatform) -> Iterator[Connection]:
    connection = Connection(shared_platform.port)
    yield connection
    connection.close()


def test_pipelined_events_are_each_accepted_and_answered_in_order(
    conn: Connection, site: str, shared_platform: RunningPlatform
) -> None:
    sent = [event(site) for _ in range(5)]

    conn.send(b"".join(request("/api/events/ingest", body) for _, body in sent))

    answers = [conn.read() for _ in sent]
    assert [a.status for a in answers] == [202] * 5
    assert [a.json()["event_id"] for a in answers] == [event_id for event_id, _ in sent]
    recorded = {e["event_id"] for e in shared_platform.wait_for_recent(5)}
    assert {event_id for event_id, _ in sent} <= recorded


def test_other_requests_pipelined_with_events_keep_their_order(conn: Connection, site: str) -> None:
    first_id, first = event(site)
    second_id, second = event(site)

    conn.send(
        request("/api/events/ingest", first)
        + request("/health", method="GET")
        + request("/api/events/ingest", second)
        + request("/health", method="GET")
    )

    answers = [conn.read() for _ in range(4)]
    assert [a.status for a in answers] == [202, 200, 202, 200]
    assert answers[0].json()["event_id"] == first_id
    assert answers[1].json() == {"status": "ok"}
    assert answers[2].json()["event_id"] == second_id


def test_a_keep_alive_connection_serves_event_after_event(conn: Connection, site: str) -> None:
    for _ in range(20):
        event_id, body = event(site)
        conn.send(request("/api/events/ingest", body))
        answer = conn.read()
        assert answer.status == 202
        assert answer.json()["event_id"] == event_id
        assert "connection" not in answer.headers


@pytest.mark.parametrize(
    ("version", "headers"),
    [("1.0", {}), ("1.1", {"Connection": "close"})],
    ids=["http1.0", "close"],
)
def test_a_client_that_ends_the_connection_is_answered_then_closed(
    conn: Connection, site: str, version: str, headers: dict[str, str]
) -> None:
    _, body = event(site)
    conn.send(request("/api/events/ingest", body, version=version, headers=headers))

    answer = conn.read()

    assert answer.status == 202
    assert answer.headers["connection"] == "close"
    assert conn.closed_by_server()


def test_a_client_that_expects_100_continue_gets_it_before_sending_the_body(
    conn: Connection, site: str
) -> None:
    event_id, body = event(site)
    head, _, _ = request("/api/events/ingest", body, headers={"Expect": "100-continue"}).partition(
        b"\r\n\r\n"
    )
    conn.send(head + b"\r\n\r\n")

    assert conn.read(head=True).status == 100
    conn.send(body)
    answer = conn.read()
    assert answer.status == 202
    assert answer.json()["event_id"] == event_id


def test_a_chunked_body_is_read_whole(conn: Connection, site: str) -> None:
    event_id, body = event(site)
    chunks = [body[:40], body[40:]]
    encoded = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"

    conn.send(request("/api/events/ingest", encoded, headers={"Transfer-Encoding": "chunked"}))

    answer = conn.read()
    assert answer.status == 202, answer.body
    assert answer.json()["event_id"] == event_id


def test_an_oversized_body_is_refused_without_being_read_and_the_connection_closed(
    conn: Connection, site: str
) -> None:
    # Declared too large: refused from the head alone.
    conn.send(request("/api/events/ingest", b"{" + b" " * 70_000 + b"}"))

    answer = conn.read()
    assert answer.status == 413
    assert "exceeds 65536 bytes" in answer.json()["detail"]  # type: ignore[operator]
    assert answer.headers["connection"] == "close"
    assert conn.closed_by_server()


def test_an_oversized_chunked_body_is_refused_once_it_passes_the_limit(
    conn: Connection, site: str
) -> None:
    chunk = b" " * 30_000
    conn.send(request("/api/events/ingest", b"", headers={"Transfer-Encoding": "chunked"}))
    for _ in range(3):
        conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))

    answer = conn.read()

    assert answer.status == 413
    assert answer.headers["connection"] == "close"
    assert conn.closed_by_server()


def test_head_on_an_ingest_path_is_refused_without_a_body(conn: Connection) -> None:
    conn.send(request("/api/events/ingest", method="HEAD"))

    answer = conn.read(head=True)
    assert answer.status == 405
    assert answer.headers["allow"] == "POST, OPTIONS"
    # The next response starts right away: no body was sent for the HEAD.
    conn.send(request("/health", method="GET"))
    assert conn.read().status == 200


def test_an_ingest_path_with_a_query_string_is_served_the_same(conn: Connection, site: str) -> None:
    event_id, body = event(site)

    conn.send(request("/api/events/ingest?source=beacon", body))

    answer = conn.read()
    assert answer.status == 202
    assert answer.json()["event_id"] == event_id


def test_malformed_bodies_get_a_4xx_naming_the_problem_and_the_connection_goes_on(
    conn: Connection, site: str
) -> None:
    conn.send(
        request("/api/events/ingest", b"{not json")
        + request("/api/events/ingest", b"[1, 2]")
        + request("/api/events/batch", b'{"events": 3}')
        + request("/api/events/ingest", b"{}", headers={"Content-Type": "text/html"})
    )

    answers = [conn.read() for _ in range(4)]

    assert [a.status for a in answers] == [400, 422, 422, 415]
    assert "not valid JSON" in answers[0].json()["detail"]  # type: ignore[operator]
    assert "one event" in answers[1].json()["detail"]  # type: ignore[operator]
    assert answers[2].json()["error"]["field"] == "events"  # type: ignore[index]
    _, body = event(site)
    conn.send(request("/api/events/ingest", body))
    assert conn.read().status == 202


def test_a_client_that_leaves_before_its_answer_does_not_disturb_the_others(
    shared_platform: RunningPlatform, site: str
) -> None:
    for _ in range(20):
        leaving = Connection(shared_platform.port)
        leaving.send(request("/api/events/ingest", event(site)[1]))
        leaving.close()

    staying = Connection(shared_platform.port)
    try:
        event_id, body = event(site)
        staying.send(request("/api/events/ingest", body))
        answer = staying.read()
        assert answer.status == 202
        assert answer.json()["event_id"] == event_id
    finally:
        staying.close()
