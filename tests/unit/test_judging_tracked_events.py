from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.json_schema import compile_property_check
from eventlens.domain.schema import Schema
from eventlens.domain.tracking import RejectionCode, TrackedEvent, judge

CLICK = {
    "type": "object",
    "properties": {"link_text": {"type": "string"}},
    "required": ["link_text"],
}
SCHEMA = Schema.register("portfolio_events", None, {"page_view": {}, "click": CLICK})
ADAPTOR = Adaptor.create("CAP-ABC123", "Site", "portfolio_events", ["http://x.test"], None, None)


def event(**overrides: object) -> TrackedEvent:
    values: dict[str, object] = {
        "event_id": uuid4(),
        "schema_id": "portfolio_events",
        "event_type": "page_view",
        "received_at": datetime.now(UTC),
        "container_id": "CAP-ABC123",
    }
    values.update(overrides)
    return TrackedEvent(**values)  # type: ignore[arg-type]


def codes(reasons: tuple[object, ...]) -> list[RejectionCode]:
    return [r.code for r in reasons]  # type: ignore[attr-defined]


def test_a_known_event_type_from_an_active_adaptor_is_accepted() -> None:
    assert judge(event(), SCHEMA, ADAPTOR, compile_property_check({})) == ()


def test_properties_are_checked_against_the_event_types_json_schema() -> None:
    check = compile_property_check(CLICK)
    reasons = judge(event(event_type="click", properties={"link_text": 3}), SCHEMA, ADAPTOR, check)
    assert codes(reasons) == [RejectionCode.INVALID_PROPERTIES]
    assert "link_text" in reasons[0].message


def test_extra_properties_are_allowed_unless_the_schema_forbids_them() -> None:
    props = {"link_text": "GitHub", "page_url": "https://x.test"}
    assert (
        judge(
            event(event_type="click", properties=props),
            SCHEMA,
            ADAPTOR,
            compile_property_check(CLICK),
        )
        == ()
    )
    strict = compile_property_check({**CLICK, "additionalProperties": False})
    reasons = judge(event(event_type="click", properties=props), SCHEMA, ADAPTOR, strict)
    assert codes(reasons) == [RejectionCode.INVALID_PROPERTIES]


def test_every_failed_rule_is_named() -> None:
    disabled = Adaptor.create("CAP-ZZZ999", "Site", "portfolio_events", None, None, None)
    disabled.disable()
    assert codes(judge(event(event_type="nope"), SCHEMA, disabled, None)) == [
        RejectionCode.DISABLED_ADAPTOR,
        RejectionCode.UNKNOWN_EVENT_TYPE,
    ]
    assert codes(judge(event(schema_id="other"), None, None, None)) == [
        RejectionCode.UNKNOWN_SCHEMA,
        RejectionCode.UNKNOWN_ADAPTOR,
    ]


def test_an_adaptor_bound_to_another_schema_cannot_send_for_this_one() -> None:
    other = Adaptor.create("CAP-OTHER1", "Site", "shop_events", None, None, None)
    assert codes(judge(event(), SCHEMA, other, None)) == [RejectionCode.ADAPTOR_SCHEMA_MISMATCH]


def test_a_tracked_event_cannot_be_changed_and_gets_its_own_empty_properties() -> None:
    first, second = event(), event()
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.schema_id = "other"  # type: ignore[misc]
    assert first.properties == {} and first.properties is not second.properties
    assert dataclasses.replace(first, user_id="u1") == event(
        **{**dataclasses.asdict(first), "user_id": "u1"}
    )
