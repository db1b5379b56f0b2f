"""`pattern` and `patternProperties` matched by RE2, in time linear in the input.

Python's `re` backtracks: a pattern such as `^(a+)+$` takes exponential time on a string of
`a`s that does not match, and an ingest anyone may send would hold the event loop for seconds
or forever. RE2 never backtracks, so it refuses what needs backtracking (backreferences,
lookaround): such patterns are refused when a schema is registered.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2
from jsonschema import Draft202012Validator, ValidationError, validators

_OPTIONS = re2.Options()
# A refused pattern is answered to the client; RE2 would also write it to stderr.
_OPTIONS.log_errors = False


class UnsupportedPattern(Exception):
    """A pattern RE2 cannot run: `reason` is RE2's own explanation."""

    def __init__(self, pattern: str, reason: str) -> None:
        super().__init__(pattern, reason)
        self.pattern = pattern
        self.reason = reason


def unsupported_reason(pattern: str) -> str | None:
    """Why RE2 cannot run `pattern`, or None when it can."""
    try:
        _compiled(pattern)
    except UnsupportedPattern as refused:
        return refused.reason
    return None


# Property checks are compiled once per schema version, but the keyword functions only see
# the pattern's text, so the compiled expressions are kept here (a bounded number: each RE2
# object may use up to its memory budget).
@lru_cache(maxsize=512)
def _compiled(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        reason = error.args[0] if error.args else "not supported"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise UnsupportedPattern(pattern, str(reason)) from None


def _search(pattern: str, text: str) -> bool:
    compiled = _compiled(pattern)
    try:
        return compiled.search(text) is not None
    except UnicodeEncodeError:
        # A lone surrogate cannot be encoded to UTF-8, which RE2 reads; encoded as it is,
        # it is an invalid sequence RE2 matches as one unknown character.
        return compiled.search(text.encode("utf-8", "surrogatepass")) is not None


def _pattern(
    validator: Any, pattern: str, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: dict[str, Any], instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    assert isinstance(instance, dict)
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if _search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


def _additional_properties(
    validator: Any, additional: Any, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    assert isinstance(instance, dict)
    extras = sorted(_additional(instance, schema), key=str)
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif additional is False and extras:
        # jsonschema's own messages, word for word.
        names = ", ".join(repr(extra) for extra in extras)
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            patterns = ", ".join(repr(p) for p in sorted(schema["patternProperties"]))
            yield ValidationError(f"{names} {verb} not match any of the regexes: {patterns}")
        else:
            yield ValidationError(
                f"Additional properties are not allowed ({_were(extras)} unexpected)"
            )


def _additional(instance: dict[str, Any], schema: dict[str, Any]) -> Iterator[str]:
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    for name in instance:
        if name not in properties and not any(_search(p, name) for p in patterns):
            yield name


def _unevaluated_properties(
    validator: Any, unevaluated: Any, instance: object, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    assert isinstance(instance, dict)
    evaluated = _evaluated_keys(validator, instance, schema)
    failed = [
        name
        for name in instance
        if name not in evaluated
        and not _is_valid(validator.descend(instance[name], unevaluated, path=name))
    ]
    if not failed:
        return
    if unevaluated is False:
        names = _were(sorted(failed, key=str))
        yield ValidationError(f"Unevaluated properties are not allowed ({names} unexpected)")
    else:
        names = _were(failed)
        yield ValidationError(
            f"Unevaluated properties are not valid under the given schema ({names} "
            "unevaluated and invalid)"
        )


def _evaluated_keys(validator: Any, instance: dict[str, Any], schema: Any) -> set[str]:
    """The property names `schema` evaluates, as jsonschema finds them, matching with RE2."""
    if not isinstance(schema, dict):
        return set()
    found: set[str] = set()
    for keyword in ("$ref", "$dynamicRef"):
        if (ref := schema.get(keyword)) is not None:
            resolved = validator._resolver.lookup(ref)
            evolved = validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
            found |= _evaluated_keys(evolved, instance, resolved.contents)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        found |= properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if (sub := schema.get(keyword)) is not None:
            found |= {k for k, v in instance.items() if _is_valid(validator.descend(v, sub))}
    for pattern in schema.get("patternProperties", {}):
        found |= {name for name in instance if _search(pattern, name)}
    return found | _evaluated_in_place(validator, instance, schema)


def _evaluated_in_place(validator: Any, instance: dict[str, Any], schema: Any) -> set[str]:
    """The names evaluated by the subschemas applied to the object itself."""
    found: set[str] = set()
    for name, sub in schema.get("dependentSchemas", {}).items():
        if name in instance:
            found |= _evaluated_keys(validator, instance, sub)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(keyword, []):
            if _is_valid(validator.descend(instance, sub)):
                found |= _evaluated_keys(validator, instance, sub)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            found |= _evaluated_keys(validator, instance, schema["if"])
            found |= _evaluated_keys(validator, instance, schema.get("then"))
        else:
            found |= _evaluated_keys(validator, instance, schema.get("else"))
    return found


def _were(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names) + (" was" if len(names) == 1 else " were")


def _is_valid(errors: Iterator[ValidationError]) -> bool:
    return next(errors, None) is None


# Draft 2020-12 with RE2 wherever a regular expression meets the event: `pattern` on values,
# `patternProperties` on property names, and the two keywords that ask which names
# `patternProperties` covers. (`format` is an annotation here: no format checker is given,
# so `"format": "regex"` runs nothing on the properties.)
PropertyValidator = validators.extend(
    Draft202012Validator,
    validators={
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "unevaluatedProperties": _unevaluated_properties,
    },
)
