"""Schema: given events, when a command, then events (or a domain error)."""

from __future__ import annotations

import pytest

from eventlens.domain.errors import Conflict, InvalidInput
from eventlens.domain.schema import Schema

SEED_TYPES = {"page_view": {}, "github_project_click": {}}
CLICK = {
    "type": "object",
    "properties": {"link_text": {"type": "string"}},
    "required": ["link_text"],
}


def test_registering_a_schema_records_schema_registered() -> None:
    schema = Schema.register("portfolio_events", "Portfolio", SEED_TYPES)

    [registered] = schema.collect_events()
    assert type(registered).__qualname__ == "Schema.Registered"
    assert schema.name == "portfolio_events"
    assert schema.event_types == SEED_TYPES
    assert schema.schema_version == 1
    assert not schema.retired


def test_the_id_is_derived_from_the_name_so_two_registrations_collide() -> None:
    assert Schema.register("a_b", None, SEED_TYPES).id == Schema.register("a_b", "x", SEED_TYPES).id


@pytest.mark.parametrize(
    "name",
    ["", "Portfolio", "1abc", "a-b", "a b", "x; DROP TABLE event_logs", "a" * 41, "é"],
)
def test_names_that_cannot_be_table_suffixes_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="schema name"):
        Schema.register(name, None, SEED_TYPES)


def test_a_schema_for_web_analytics_alone_declares_no_event_type() -> None:
    assert Schema.register("site", None, {}).event_types == {}


@pytest.mark.parametrize(
    ("event_types", "message"),
    [
        ([], "must be an object"),
        ({"page view": {}}, "event type"),
        ({"page_view": "string"}, "JSON Schema object"),
        ({"page_view": {"type": "array"}}, "type 'object'"),
        ({"page_view": {"type": "objekt"}}, "invalid JSON Schema"),
    ],
)
def test_event_types_must_be_valid_json_schemas(event_types: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        Schema.register("shop", None, event_types)


def test_updating_a_schema_records_a_new_version() -> None:
    schema = Schema.register("shop", None, SEED_TYPES)
    schema.collect_events()

    schema.update(None, {**SEED_TYPES, "github_project_click": CLICK})

    [updated] = schema.collect_events()
    assert type(updated).__qualname__ == "Schema.Updated"
    assert schema.schema_version == 2
    assert schema.event_types["github_project_click"] == CLICK


def test_an_update_that_changes_nothing_records_nothing() -> None:
    schema = Schema.register("shop", "d", SEED_TYPES)
    schema.collect_events()

    schema.update("d", SEED_TYPES)

    assert schema.collect_events() == []


def test_a_retired_schema_cannot_be_updated_but_can_be_reinstated() -> None:
    schema = Schema.register("shop", None, SEED_TYPES)
    schema.retire()
    with pytest.raises(Conflict, match="retired"):
        schema.update("x", None)

    schema.reinstate("back", SEED_TYPES)

    names = [type(e).__qualname__ for e in schema.collect_events()]
    assert names == ["Schema.Registered", "Schema.Retired", "Schema.Reinstated"]
    assert not schema.retired
    assert schema.schema_version == 2
