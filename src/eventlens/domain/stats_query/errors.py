"""The one error a Stats API query is refused with, and values shown in its messages as
Plausible shows them (its messages print values the way Elixir's `inspect` does)."""

from __future__ import annotations

import json

from eventlens.domain.errors import DomainError


class StatsQueryError(DomainError):
    """A query that breaks the Stats API's rules. `field` is where, as a JSON pointer
    (`#/metrics/1`) when the message is about one place of the request."""

    code = "invalid_query"


def shown(value: object) -> str:
    """`value` as Elixir's `inspect` prints decoded JSON: `["a", 1]`, `%{"k" => true}`."""
    if value is None:
        return "nil"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = ", ".join(f"{shown(key)} => {shown(item)}" for key, item in value.items())
        return "%{" + pairs + "}"
    return str(value)


def json_type(value: object) -> str:
    """The JSON Schema type name of a decoded value, as Plausible's validator names it."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    return "Object"


def schema_error(path: str, message: str) -> StatsQueryError:
    return StatsQueryError(f"{path}: {message}", field=path)


def type_mismatch(path: str, expected: str, value: object) -> StatsQueryError:
    return schema_error(path, f"Type mismatch. Expected {expected} but got {json_type(value)}.")
