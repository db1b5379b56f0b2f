"""JSON Schema rules for event properties (Draft 2020-12)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from eventlens.domain.errors import InvalidInput
from eventlens.domain.patterns import PropertyValidator, UnsupportedPattern, unsupported_reason

if TYPE_CHECKING:
    # referencing does not re-export Resolver from its package.
    from referencing._core import Resolver

PropertyCheck = Callable[[dict[str, Any]], list[str]]
MAX_VIOLATIONS = 10
# Checking a schema recurses several Python frames per level, so a deeply nested one would
# exhaust the interpreter's stack; real property schemas are nowhere near this deep.
MAX_SCHEMA_DEPTH = 64

# Keywords whose subschemas apply to the same value as the schema that holds them; a loop
# through these (and $ref) would validate the same value forever.
_IN_PLACE_ONE = ("not", "if", "then", "else")
_IN_PLACE_MANY = ("allOf", "anyOf", "oneOf")
# $dynamicRef resolves against the dynamic scope while validating, so registration cannot
# prove where it lands; $recursiveRef is its Draft 2019-09 form, which Draft 2020-12
# validators ignore, so it would silently check nothing. Neither is needed for properties.
_DYNAMIC_REFERENCES = ("$dynamicRef", "$recursiveRef")

# A schema and the schemas applied to the same value, each with the $ref leading there (if any).
_InPlaceGraph = dict[int, list[tuple[int, str | None]]]


def check_property_schema(event_type: str, json_schema: object) -> dict[str, Any]:
    """An event type's properties schema must be a valid JSON Schema describing an object.

    `{}` (the seed's form) accepts any properties. Its references must resolve within the
    schema itself: other documents and URLs are never fetched.
    """
    if not isinstance(json_schema, dict):
        raise InvalidInput(
            f"event type {event_type!r}: its definition must be a JSON Schema object "
            "(use {} to accept any properties)",
            field=f"properties.{event_type}",
        )
    too_deep = InvalidInput(
        f"event type {event_type!r}: its JSON Schema is nested too deeply (at most "
        f"{MAX_SCHEMA_DEPTH} levels of objects and arrays)",
        field=f"properties.{event_type}",
    )
    if _depth(json_schema) > MAX_SCHEMA_DEPTH:
        raise too_deep
    try:
        Draft202012Validator.check_schema(json_schema)
    except SchemaError as error:
        path = "/".join(str(p) for p in error.path) or "(root)"
        raise InvalidInput(
            f"event type {event_type!r}: invalid JSON Schema at {path}: {error.message}",
            field=f"properties.{event_type}",
        ) from None
    # Within the limit, a caller already deep in its own stack could still run out.
    except RecursionError:
        raise too_deep from None
    declared = json_schema.get("type")
    if declared is not None and declared != "object":
        raise InvalidInput(
            f"event type {event_type!r}: properties are an object, so its JSON Schema "
            f"must have type 'object', not {declared!r}",
            field=f"properties.{event_type}",
        )
    _check_references(event_type, json_schema)
    return json_schema


def _depth(value: object) -> int:
    """How deeply objects and arrays nest in `value`, measured without recursion."""
    deepest = 0
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            pending.extend((child, depth + 1) for child in item)
    return deepest


def _check_references(event_type: str, json_schema: dict[str, Any]) -> None:
    schemas = _subschemas(DRAFT202012.create_resource(json_schema))
    # Subschemas are dicts, which cannot be hashed, so they are known by identity.
    known = {id(schema) for schema, _ in schemas}
    in_place: _InPlaceGraph = {}
    for schema, resolver in schemas:
        if not isinstance(schema, dict):
            continue
        _refuse_dynamic_references(event_type, schema)
        _refuse_unsupported_patterns(event_type, schema)
        edges: list[tuple[int, str | None]] = [
            (id(sub), None) for sub in _in_place_subschemas(schema)
        ]
        ref = schema.get("$ref")
        if ref is not None:
            edges.append((_reference_target(event_type, ref, resolver, known), ref))
        in_place[id(schema)] = edges
    _refuse_reference_loops(event_type, in_place)


def _subschemas(root: Resource[Any]) -> list[tuple[Any, Resolver[Any]]]:
    """The root and all its subschemas, each with a resolver for its base URI."""
    # A registry without a retrieve function: a reference to another document is
    # Unresolvable rather than fetched.
    found: list[tuple[Any, Resolver[Any]]] = []
    pending = [(root, Registry[Any]().resolver_with_root(root))]
    while pending:
        resource, resolver = pending.pop()
        found.append((resource.contents, resolver))
        pending.extend((sub, resolver.in_subresource(sub)) for sub in resource.subresources())
    return found


def _refuse_dynamic_references(event_type: str, schema: dict[str, Any]) -> None:
    for keyword in _DYNAMIC_REFERENCES:
        if keyword in schema:
            raise InvalidInput(
                f"event type {event_type!r}: {keyword} {schema[keyword]!r} is not supported "
                "(a dynamic reference cannot be checked at registration); use $ref with a "
                "local pointer such as '#/$defs/name'",
                field=f"properties.{event_type}",
            )


def _refuse_unsupported_patterns(event_type: str, schema: dict[str, Any]) -> None:
    patterns = [schema.get("pattern"), *schema.get("patternProperties", {})]
    for pattern in patterns:
        if not isinstance(pattern, str):
            continue
        reason = unsupported_reason(pattern)
        if reason is not None:
            raise InvalidInput(
                f"event type {event_type!r}: pattern {pattern!r} is not supported ({reason}): "
                "patterns are matched in linear time (RE2), which rules out backreferences "
                "and lookaround",
                field=f"properties.{event_type}",
            )


def _reference_target(event_type: str, ref: str, resolver: Resolver[Any], known: set[int]) -> int:
    """The identity of the subschema `ref` points at."""
    try:
        target = resolver.lookup(ref).contents
    # A pointer through a list or a boolean schema fails with ValueError or TypeError.
    except (Unresolvable, ValueError, TypeError):
        raise InvalidInput(
            f"event type {event_type!r}: $ref {ref!r} does not resolve within its JSON Schema "
            "(only local references such as '#/$defs/name' are allowed; other documents "
            "and URLs are never fetched)",
            field=f"properties.{event_type}",
        ) from None
    # The spec leaves references into anything but a subschema undefined; the validator
    # crashes on them.
    if id(target) not in known:
        raise InvalidInput(
            f"event type {event_type!r}: $ref {ref!r} does not point at a schema "
            "(use a subschema, e.g. one under '$defs')",
            field=f"properties.{event_type}",
        )
    return id(target)


def _in_place_subschemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema.get(keyword) for keyword in _IN_PLACE_ONE]
    for keyword in _IN_PLACE_MANY:
        found.extend(schema.get(keyword, []))
    found.extend(schema.get("dependentSchemas", {}).values())
    return [sub for sub in found if isinstance(sub, dict)]


def _refuse_reference_loops(event_type: str, in_place: _InPlaceGraph) -> None:
    """Refuse a $ref that leads back to the same value's schema, e.g. {"$ref": "#"}."""
    finished: set[int] = set()
    for start in in_place:
        if start in finished:
            continue
        path = [start]
        refs: list[str | None] = []
        stack = [iter(in_place[start])]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                finished.add(path.pop())
                stack.pop()
                if refs:
                    refs.pop()
                continue
            target, ref = step
            if target in finished or target not in in_place:
                continue
            if target in path:
                loop = " -> ".join(repr(r) for r in (*refs[path.index(target) :], ref) if r)
                raise InvalidInput(
                    f"event type {event_type!r}: $ref {loop} leads back to a schema of the "
                    "same value, so validation would never end",
                    field=f"properties.{event_type}",
                )
            path.append(target)
            refs.append(ref)
            stack.append(iter(in_place[target]))


def compile_property_check(json_schema: dict[str, Any]) -> PropertyCheck:
    """Compile a schema into a function returning human-readable violations (empty if valid)."""
    if not json_schema:
        return _accept_all
    # An empty registry: never fetch a URL named by a schema recorded before references
    # were checked at registration.
    validator = PropertyValidator(json_schema, registry=Registry())

    def violations(properties: dict[str, Any]) -> list[str]:
        found = []
        try:
            for error in validator.iter_errors(properties):
                path = ".".join(str(p) for p in error.absolute_path)
                where = f"properties.{path}" if path else "properties"
                found.append(f"{where}: {error.message}")
                if len(found) >= MAX_VIOLATIONS:
                    break
        # A schema recorded before references were checked at registration: the event is
        # rejected (and kept for reprocessing once the schema is fixed), not a server error.
        except Unresolvable as error:
            found.append(
                "properties: cannot be validated: this event type's JSON Schema has a "
                f"reference that does not resolve ({_unresolved(error)!r})"
            )
        # Likewise a pattern RE2 cannot run: matching it another way could take exponential
        # time, so the event waits for the schema to be fixed.
        except UnsupportedPattern as error:
            found.append(
                f"properties: cannot be validated: this event type's JSON Schema has the "
                f"pattern {error.pattern!r}, which is not supported ({error.reason})"
            )
        except RecursionError:
            found.append(
                "properties: cannot be validated: this event type's JSON Schema refers back "
                "to itself without end, or the properties are nested too deeply"
            )
        return found

    return violations


def _unresolved(error: Unresolvable) -> str:
    # NoSuchAnchor's ref is empty; it names the anchor instead.
    anchor = getattr(error, "anchor", None)
    return f"#{anchor}" if anchor else error.ref


def _accept_all(_properties: dict[str, Any]) -> list[str]:
    return []
