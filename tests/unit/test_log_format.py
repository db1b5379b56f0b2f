"""JSON log lines and the access log: the fields each line carries, request ids taken from a
sane X-Request-ID or made, echoed in the answer, and no client address in any line."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from typing import Any

import pytest

from eventlens.api.access_log import AccessLog, request_id_of
from eventlens.logs import JsonFormatter, configure_logging, current_request_id


def record(message: str, *args: Any, **extra: Any) -> logging.LogRecord:
    made = logging.LogRecord("eventlens.test", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_line_is_one_json_object_with_time_level_logger_and_message() -> None:
    line = json.loads(JsonFormatter().format(record("%d events behind", 12)))
    assert line["level"] == "WARNING"
    assert line["logger"] == "eventlens.test"
    assert line["message"] == "12 events behind"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert "exception" not in line
    assert "\n" not in JsonFormatter().format(record("two\nlines"))


def test_an_access_lines_fields_are_its_own() -> None:
    fields = {"method": "GET", "path": "/api/x", "status": 200, "duration_ms": 1.5}
    line = json.loads(JsonFormatter().format(record("ok", request_id="r-1", **fields)))
    assert {name: line[name] for name in fields} == fields
    assert line["request_id"] == "r-1"


def test_an_exception_is_a_field_with_its_traceback() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        failed = record("internal error")
        failed.exc_info = sys.exc_info()
    line = json.loads(JsonFormatter().format(failed))
    assert line["message"] == "internal error"
    assert "Traceback" in line["exception"]
    assert "ValueError: broken" in line["exception"]


def test_a_line_written_while_a_request_is_served_carries_its_id() -> None:
    token = current_request_id.set("req-9")
    try:
        line = json.loads(JsonFormatter().format(record("slow query")))
    finally:
        current_request_id.reset(token)
    assert line["request_id"] == "req-9"


@pytest.mark.parametrize("sent", ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "a.b:c/d+e="])
def test_a_sane_request_id_is_kept(sent: str) -> None:
    assert request_id_of([(b"x-request-id", sent.encode())]) == sent


@pytest.mark.parametrize("sent", [b"", b"a b", b"x" * 129, b"line\r\nbreak", "é".encode()])
def test_an_insane_or_missing_request_id_is_replaced_by_a_new_one(sent: bytes) -> None:
    made = request_id_of([(b"x-request-id", sent)])
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert request_id_of([]) != request_id_of([])


def served(path: str, headers: list[tuple[bytes, bytes]], status: int = 200) -> list[Any]:
    """The messages AccessLog sends for a request answered `status`."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "headers": headers,
        "http_version": "1.1",
        "client": ("203.0.113.9", 50000),
    }
    asyncio.run(AccessLog(app)(scope, None, send))
    return sent


def test_the_request_id_is_echoed_and_logged_with_the_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="eventlens.access"):
        sent = served("/api/schemas/", [(b"x-request-id", b"trace-1")], status=404)
    assert (b"x-request-id", b"trace-1") in sent[0]["headers"]
    [logged] = caplog.records
    line = json.loads(JsonFormatter().format(logged))
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/schemas/", 404)
    assert line["request_id"] == "trace-1"
    assert "203.0.113.9" not in json.dumps(line)


def test_a_shared_links_token_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="eventlens.access"):
        served("/api/shared/s3cret-token", [])
    [logged] = caplog.records
    assert "s3cret-token" not in logged.getMessage()
    assert logged.__dict__["path"] == "/api/shared/***"


@pytest.mark.parametrize(
    ("path", "logged_as"),
    [
        ("/api/privacy/subjects/alice@example.com", "/api/privacy/subjects/***"),
        ("/api/privacy/subjects/alice/export", "/api/privacy/subjects/***/export"),
        ("/api/privacy/opt-outs/alice", "/api/privacy/opt-outs/***"),
    ],
)
def test_the_user_id_of_an_erasure_export_or_opt_out_is_not_logged(
    caplog: pytest.LogCaptureFixture, path: str, logged_as: str
) -> None:
    with caplog.at_level(logging.INFO, logger="eventlens.access"):
        served(path, [])
    [logged] = caplog.records
    assert "alice" not in logged.getMessage()
    assert logged.__dict__["path"] == logged_as


def test_an_unknown_log_format_stops_the_start() -> None:
    with pytest.raises(SystemExit, match="EVENTLENS_LOG_FORMAT"):
        configure_logging("INFO", "xml")
