"""Rules for the names users choose. Schema names become table names (`events_<name>`)."""

from __future__ import annotations

import re

from eventlens.domain.errors import InvalidInput

# PostgreSQL truncates identifiers at 63 bytes; "events_" takes 7 and versioned replay
# tables add a suffix, so schema names stay well under that.
SCHEMA_NAME_MAX = 40
_SCHEMA_NAME = re.compile(r"[a-z][a-z0-9_]*")
_EVENT_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9_.:\-]{0,99}")
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@\-]{1,63}")


def check_schema_name(name: str) -> str:
    if not isinstance(name, str) or not _SCHEMA_NAME.fullmatch(name):
        raise InvalidInput(
            "schema name must start with a lowercase letter and contain only lowercase "
            "letters, digits and underscores",
            field="name",
        )
    if len(name) > SCHEMA_NAME_MAX:
        raise InvalidInput(
            f"schema name must be at most {SCHEMA_NAME_MAX} characters", field="name"
        )
    return name


def check_event_type(name: str) -> str:
    if not isinstance(name, str) or not _EVENT_TYPE.fullmatch(name):
        raise InvalidInput(
            f"event type {name!r} must start with a letter and contain only letters, digits, "
            "'_', '.', ':' or '-' (at most 100 characters)",
            field="properties",
        )
    return name


def check_username(name: str) -> str:
    if not isinstance(name, str) or not _USERNAME.fullmatch(name):
        raise InvalidInput(
            "username must be 2-64 characters of letters, digits, '_', '.', '@' or '-'",
            field="username",
        )
    return name
