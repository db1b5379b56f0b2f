"""JSON Schema rules for event properties (Draft 2020-12)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from eventlens.domain.errors import InvalidInput

PropertyCheck = Callable[[dict[str, Any]], list[str]]
MAX_VIOLATIONS = 10


def check_property_schema(event_type: str, json_schema: object) -> dict[str, Any]:
    """An event type's properties schema must be a valid JSON Schema describing an object.

    `{}` (the seed's form) accepts any properties.
    """
    if not isinstance(json_schema, dict):
        raise InvalidInput(
            f"event type {event_type!r}: its definition must be a JSON Schema object "
            "(use {} to accept any properties)",
            field=f"properties.{event_type}",
        )
    try:
        Draft202012Validator.check_schema(json_schema)
    except SchemaError as error:
        path = "/".join(str(p) for p in error.path) or "(root)"
        raise InvalidInput(
            f"event type {event_type!r}: invalid JSON Schema at {path}: {error.message}",
            field=f"properties.{event_type}",
        ) from None
    declared = json_schema.get("type")
    if declared is not None and declared != "object":
        raise InvalidInput(
            f"event type {event_type!r}: properties are an object, so its JSON Schema "
            f"must have type 'object', not {declared!r}",
            field=f"properties.{event_type}",
        )
    return json_schema


def compile_property_check(json_schema: dict[str, Any]) -> PropertyCheck:
    """Compile a schema into a function returning human-readable violations (empty if valid)."""
    if not json_schema:
        return _accept_all
    validator = Draft202012Validator(json_schema)

    def violations(properties: dict[str, Any]) -> list[str]:
        found = []
        for error in validator.iter_errors(properties):
            path = ".".join(str(p) for p in error.absolute_path)
            where = f"properties.{path}" if path else "properties"
            found.append(f"{where}: {error.message}")
            if len(found) >= MAX_VIOLATIONS:
                break
        return found

    return violations


def _accept_all(_properties: dict[str, Any]) -> list[str]:
    return []
