"""How EventLens logs: text lines by default, or one JSON object a line
(`EVENTLENS_LOG_FORMAT=json`) for log collectors.

A JSON line holds `time` (UTC, ISO 8601), `level`, `logger` and `message`; an access line adds
`method`, `path`, `status`, `duration_ms` and `request_id`; a line written while a request is
served carries that request's `request_id`; a line with an exception (an internal error: a
client's mistakes are logged at DEBUG without one) has it as `exception`. No line names a
client's address.
"""

from __future__ import annotations

import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FORMATS = ("text", "json")
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "request_id")

# The request being served, for the lines written while serving it.
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
announcements = logging.getLogger("eventlens")


class JsonFormatter(logging.Formatter):
    """One JSON object a record."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id.get()
        if request_id is not None:
            line["request_id"] = request_id
        for name in ACCESS_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(line, default=str).decode()


def configure_logging(level: str, log_format: str) -> None:
    """The root logger's level and format, for every line written to standard error."""
    if log_format not in LOG_FORMATS:
        raise SystemExit(f"EVENTLENS_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    if log_format == "json":
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    else:
        logging.basicConfig(level=level.upper(), format=TEXT_FORMAT)


def announce(message: str) -> None:
    """Tell the operator, whatever the log level: on standard error as it is, or as a JSON
    line among the others."""
    if any(isinstance(h.formatter, JsonFormatter) for h in logging.getLogger().handlers):
        record = announcements.makeRecord(
            announcements.name, logging.INFO, "", 0, message.strip(), (), None
        )
        announcements.handle(record)
    else:
        print(message, file=sys.stderr, flush=True)
