"""Property schema patterns: given a schema with `pattern` or `patternProperties`, when an
event is checked, then the pattern runs in linear time (RE2); a pattern RE2 cannot run is
refused at registration."""

from __future__ import annotations

from typing import Any

import pytest

from eventlens.commands.actor import Actor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.domain.errors import InvalidInput
from eventlens.domain.json_schema import compile_property_check
from eventlens.domain.schema import schema_id_for
from eventlens.domain.user import Role
from eventlens.eventstore.catalog import Catalog

ADMIN = Actor("root", Role.ADMIN)
# Backtracking takes 2^n steps on n `a`s and a mismatch: 26 took seconds with Python's `re`,
# so with 64 these tests would not finish unless the matcher is linear.
EVIL = "^(a+)+$"
EVIL_INPUT = "a" * 64 + "!"


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def properties_schema(**keywords: Any) -> dict[str, Any]:
    return {"type": "object", **keywords}


def test_a_catastrophic_pattern_on_a_value_is_checked_correctly() -> None:
    check = compile_property_check(properties_schema(properties={"word": {"pattern": EVIL}}))

    [violation] = check({"word": EVIL_INPUT})

    assert violation.startswith("properties.word:")
    assert "does not match" in violation
    assert check({"word": "a" * 64}) == []
    assert check({"word": 64}) == []  # `pattern` constrains strings only


@pytest.mark.parametrize(
    "json_schema",
    [
        properties_schema(patternProperties={EVIL: {}}, additionalProperties=False),
        properties_schema(patternProperties={EVIL: {}}, unevaluatedProperties=False),
        properties_schema(propertyNames={"pattern": EVIL}),
    ],
    ids=["additional", "unevaluated", "property_names"],
)
def test_a_catastrophic_pattern_on_property_names_is_checked_correctly(
    json_schema: dict[str, Any],
) -> None:
    check = compile_property_check(json_schema)

    assert check({"a" * 64: 1}) == []
    [violation] = check({"a" * 64: 1, EVIL_INPUT: 2})
    assert repr(EVIL_INPUT) in violation


def test_pattern_properties_apply_their_schema_to_the_names_they_match() -> None:
    check = compile_property_check(
        properties_schema(
            patternProperties={"^utm_": {"type": "string"}},
            additionalProperties={"type": "integer"},
        )
    )

    assert check({"utm_source": "mail", "count": 3}) == []
    assert sorted(check({"utm_source": 1, "count": "x"})) == [
        "properties.count: 'x' is not of type 'integer'",
        "properties.utm_source: 1 is not of type 'string'",
    ]


def test_a_string_that_is_not_valid_unicode_is_matched_not_a_crash() -> None:
    check = compile_property_check(properties_schema(properties={"w": {"pattern": "^[a-z]+$"}}))

    [violation] = check({"w": "\ud800"})

    assert violation.startswith("properties.w:")


@pytest.mark.parametrize(
    "json_schema",
    [
        properties_schema(properties={"word": {"pattern": r"^(a)\1$"}}),
        properties_schema(properties={"word": {"pattern": "^a(?=b)"}}),
        properties_schema(patternProperties={"(?<!x)y": {}}),
        properties_schema(properties={"tags": {"items": {"pattern": r"\Z"}}}),
        properties_schema(
            properties={"word": {"$ref": "#/$defs/w"}}, **{"$defs": {"w": {"pattern": "(?!x)"}}}
        ),
    ],
    ids=["backreference", "lookahead", "lookbehind_in_pattern_properties", "nested", "in_defs"],
)
def test_registering_a_pattern_re2_cannot_run_is_refused_naming_it(
    catalog: Catalog, json_schema: dict[str, Any]
) -> None:
    command = RegisterSchema(ADMIN, "shop", None, {"page_view": {}, "click": json_schema})

    with pytest.raises(InvalidInput) as refused:
        register_schema(command, catalog)

    assert "event type 'click'" in refused.value.message
    assert "pattern" in refused.value.message
    assert refused.value.field == "properties.click"
    assert not catalog.has(schema_id_for("shop"))


def test_the_refusal_quotes_the_pattern(catalog: Catalog) -> None:
    json_schema = properties_schema(properties={"word": {"pattern": r"^(a)\1$"}})

    with pytest.raises(InvalidInput) as refused:
        register_schema(RegisterSchema(ADMIN, "shop", None, {"click": json_schema}), catalog)

    assert repr(r"^(a)\1$") in refused.value.message
    assert "backreferences" in refused.value.message


def test_a_pattern_in_data_rather_than_a_schema_is_not_refused(catalog: Catalog) -> None:
    json_schema = properties_schema(properties={"word": {"const": {"pattern": r"(a)\1"}}})

    schema = register_schema(RegisterSchema(ADMIN, "shop", None, {"click": json_schema}), catalog)

    assert schema.event_types["click"] == json_schema


def test_a_check_of_a_pattern_recorded_before_patterns_were_checked_reports_a_failure() -> None:
    check = compile_property_check(properties_schema(properties={"w": {"pattern": r"(a)\1"}}))

    [failure] = check({"w": "aa"})

    assert failure.startswith("properties: cannot be validated")
    assert repr(r"(a)\1") in failure
