"""Property schema references: given a schema with a $ref, when it is registered or used
to check an event, then it resolves inside the schema or is refused (never a crash)."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from eventlens.commands.actor import Actor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.update_schema import UpdateSchema, update_schema
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.errors import InvalidInput
from eventlens.domain.json_schema import compile_property_check
from eventlens.domain.schema import Schema, schema_id_for
from eventlens.domain.tracking import RejectionCode, TrackedEvent, judge
from eventlens.domain.user import Role
from eventlens.eventstore.catalog import Catalog

ADMIN = Actor("root", Role.ADMIN)
LINK_TEXT = {"type": "object", "properties": {"link_text": {"$ref": "#/$defs/text"}}}
WITH_DEFS = {**LINK_TEXT, "$defs": {"text": {"type": "string", "minLength": 1}}}
MISSING = {**LINK_TEXT, "$defs": {"other": {"type": "string"}}}
REMOTE = {"type": "object", "properties": {"link_text": {"$ref": "https://example.com/x.json"}}}
RELATIVE_FILE = {"type": "object", "properties": {"link_text": {"$ref": "text.json"}}}
DYNAMIC = {
    "type": "object",
    "$defs": {"text": {"$dynamicAnchor": "text", "type": "string"}},
    "properties": {"link_text": {"$dynamicRef": "#text"}},
}
DYNAMIC_NOWHERE = {"type": "object", "properties": {"link_text": {"$dynamicRef": "#text"}}}
RECURSIVE = {"type": "object", "properties": {"link_text": {"$recursiveRef": "#"}}}
LOOP = {"type": "object", "allOf": [{"$ref": "#"}]}
NOT_A_SCHEMA = {**LINK_TEXT, "required": ["link_text"], "$defs": {"text": {"$ref": "#/required"}}}


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.fixture
def no_fetching(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record any attempt to fetch a URL instead of making it."""
    fetched: list[object] = []

    def urlopen(request: object, *_: object, **__: object) -> None:
        fetched.append(request)
        raise OSError("the tests do not fetch URLs")

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return fetched


def click(properties: dict[str, Any]) -> TrackedEvent:
    return TrackedEvent(
        event_id=uuid4(),
        schema_id="shop",
        event_type="click",
        received_at=datetime.now(UTC),
        container_id="CAP-ABC123",
        properties=properties,
    )


@pytest.mark.parametrize(
    ("json_schema", "named"),
    [
        (MISSING, "'#/$defs/text'"),
        (REMOTE, "'https://example.com/x.json'"),
        (RELATIVE_FILE, "'text.json'"),
        (DYNAMIC, "$dynamicRef '#text'"),
        (RECURSIVE, "$recursiveRef '#'"),
        (LOOP, "'#'"),
        (NOT_A_SCHEMA, "'#/required'"),
    ],
    ids=["missing", "remote", "relative_file", "dynamic", "recursive", "loop", "not_a_schema"],
)
def test_registering_a_schema_whose_reference_cannot_be_resolved_locally_is_refused(
    catalog: Catalog, no_fetching: list[object], json_schema: dict[str, Any], named: str
) -> None:
    command = RegisterSchema(ADMIN, "shop", None, {"page_view": {}, "click": json_schema})

    with pytest.raises(InvalidInput) as refused:
        register_schema(command, catalog)

    assert "event type 'click'" in refused.value.message
    assert named in refused.value.message
    assert refused.value.field == "properties.click"
    assert not catalog.has(schema_id_for("shop"))
    assert no_fetching == []


def test_updating_a_schema_to_a_missing_reference_is_refused_and_keeps_the_old_version(
    catalog: Catalog,
) -> None:
    register_schema(RegisterSchema(ADMIN, "shop", None, {"click": WITH_DEFS}), catalog)

    with pytest.raises(InvalidInput, match=r"event type 'click': \$ref '#/\$defs/text'"):
        update_schema(UpdateSchema(ADMIN, "shop", event_types={"click": MISSING}), catalog)

    schema = catalog.schema("shop")
    assert schema.schema_version == 1
    assert schema.event_types["click"] == WITH_DEFS


def test_reinstating_a_schema_with_a_remote_reference_is_refused(no_fetching: list[object]) -> None:
    schema = Schema.register("shop", None, {"click": WITH_DEFS})
    schema.retire()

    with pytest.raises(InvalidInput, match=r"'https://example\.com/x\.json'"):
        schema.reinstate(None, {"click": REMOTE})

    assert schema.retired
    assert no_fetching == []


@pytest.mark.parametrize(
    "json_schema",
    [
        WITH_DEFS,
        {"type": "object", "properties": {"child": {"$ref": "#"}}},
        {
            "$id": "https://eventlens.test/click.json",
            "type": "object",
            "$defs": {"text": {"$id": "text.json", "type": "string"}},
            "properties": {"link_text": {"$ref": "text.json"}},
        },
        {"type": "object", "properties": {"link_text": {"const": {"$ref": "#/nowhere"}}}},
    ],
    ids=["defs", "recursive_tree", "embedded_id", "ref_shaped_data"],
)
def test_a_schema_whose_references_resolve_within_itself_is_registered(
    catalog: Catalog, json_schema: dict[str, Any]
) -> None:
    schema = register_schema(RegisterSchema(ADMIN, "shop", None, {"click": json_schema}), catalog)

    assert schema.event_types["click"] == json_schema


def test_events_are_validated_against_the_definition_a_local_reference_names() -> None:
    schema = Schema.register("shop", None, {"click": WITH_DEFS})
    check = compile_property_check(schema.event_types["click"])

    assert check({"link_text": "GitHub"}) == []
    [violation] = check({"link_text": ""})
    assert violation.startswith("properties.link_text:")


@pytest.mark.parametrize(
    ("json_schema", "named"),
    [
        (MISSING, "'/$defs/text'"),
        (REMOTE, "'https://example.com/x.json'"),
        (DYNAMIC_NOWHERE, "'#text'"),
        (LOOP, "refers back to itself"),
    ],
    ids=["missing", "remote", "dynamic", "loop"],
)
def test_a_check_compiled_from_a_schema_recorded_before_references_were_checked_reports_a_failure(
    no_fetching: list[object], json_schema: dict[str, Any], named: str
) -> None:
    check = compile_property_check(json_schema)

    [failure] = check({"link_text": "GitHub"})

    assert failure.startswith("properties: cannot be validated")
    assert named in failure
    assert no_fetching == []


def test_an_event_whose_schema_has_a_broken_reference_is_rejected_for_invalid_properties() -> None:
    schema = Schema.register("shop", None, {"click": WITH_DEFS})
    adaptor = Adaptor.create("CAP-ABC123", "Site", "shop", ["http://x.test"], None, None)
    recorded_before_the_fix = compile_property_check(MISSING)

    reasons = judge(click({"link_text": "GitHub"}), schema, adaptor, recorded_before_the_fix)

    assert [r.code for r in reasons] == [RejectionCode.INVALID_PROPERTIES]
    assert "does not resolve" in reasons[0].message
