"""What the ingest path accepts as one event, and how it names what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from eventlens.api.ingest_models import MAX_DEPTH, MAX_KEYS, InvalidEvent, parse_event

RECEIVED = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def body(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "schema_id": "portfolio_events",
        "event_type": "page_view",
        "session_id": "s1",
        "properties": {"page_path": "/", "container_id": "CAP-ABC123"},
    }
    event.update(changes)
    return event


def nested(levels: int) -> dict[str, Any]:
    """An object `levels` deep: {"n": {"n": ... {"leaf": 1}}}."""
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"n": value}
    return value


def fields_of(error: pytest.ExceptionInfo[InvalidEvent]) -> list[str]:
    return [detail["field"] for detail in error.value.details]


def test_the_snippets_body_becomes_a_tracked_event_attributed_by_its_container_id() -> None:
    event = parse_event(body(timestamp="2026-11-28T11:59:58", extra="ignored"), RECEIVED)
    assert event.container_id == "CAP-ABC123"
    assert event.client_timestamp == datetime(2026, 11, 28, 11, 59, 58, tzinfo=UTC)
    assert event.received_at == RECEIVED
    assert isinstance(event.event_id, UUID)
    assert event.metadata == {}


def test_a_client_event_id_is_kept() -> None:
    event_id = "0b0c7e0e-8f69-4a4e-9d6a-7d2c1f1f0001"
    assert parse_event(body(event_id=event_id), RECEIVED).event_id == UUID(event_id)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"schema_id": ""}, "schema_id"),
        ({"event_type": 7}, "event_type"),
        ({"event_id": "not-a-uuid"}, "event_id"),
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"properties": [1, 2]}, "properties"),
        ({"properties": {str(i): i for i in range(MAX_KEYS + 1)}}, "properties"),
        ({"metadata": {str(i): i for i in range(MAX_KEYS + 1)}}, "metadata"),
    ],
)
def test_a_malformed_field_is_named(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidEvent) as error:
        parse_event(body(**changes), RECEIVED)
    assert fields_of(error) == [field]


def test_an_event_may_leave_its_schema_to_its_adaptor() -> None:
    event = body()
    del event["schema_id"]

    assert parse_event(event, RECEIVED).schema_id == ""  # judged: the adaptor's schema


def test_an_event_naming_neither_schema_nor_adaptor_is_malformed() -> None:
    event = body()
    del event["schema_id"]
    event["properties"] = {}
    event.pop("container_id", None)

    with pytest.raises(InvalidEvent) as error:
        parse_event(event, RECEIVED)
    assert fields_of(error) == ["schema_id"]


@pytest.mark.parametrize("field", ["properties", "metadata"])
def test_objects_may_nest_up_to_the_limit_and_no_deeper(field: str) -> None:
    parse_event(body(**{field: nested(MAX_DEPTH)}), RECEIVED)
    parse_event(body(**{field: {"list": [[1], [2]]}}), RECEIVED)
    with pytest.raises(InvalidEvent) as error:
        parse_event(body(**{field: nested(MAX_DEPTH + 1)}), RECEIVED)
    assert fields_of(error) == [field]
    assert "nest" in error.value.details[0]["message"]


def test_nesting_far_deeper_than_pythons_stack_is_refused_not_a_crash() -> None:
    import orjson

    deep = orjson.loads("[" * 1000 + "]" * 1000)  # the deepest JSON the parser accepts

    with pytest.raises(InvalidEvent) as error:
        parse_event(body(properties={"a": deep}), RECEIVED)

    assert error.value.details == [
        {"field": "properties", "message": f"may nest at most {MAX_DEPTH} levels"}
    ]


def test_the_clients_time_is_kept_in_utc_whatever_its_offset() -> None:
    far_east = parse_event(body(timestamp="2024-01-01T10:00:00+18:00"), RECEIVED)
    naive = parse_event(body(timestamp="2024-01-01T10:00:00"), RECEIVED)

    assert far_east.client_timestamp == datetime(2023, 12, 31, 16, tzinfo=UTC)
    assert far_east.client_timestamp is not None
    assert far_east.client_timestamp.utcoffset() == timedelta(0)
    assert naive.client_timestamp == datetime(2024, 1, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("timestamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59Z"])
def test_a_clients_time_outside_the_years_1900_to_9000_is_named(timestamp: str) -> None:
    with pytest.raises(InvalidEvent) as error:
        parse_event(body(timestamp=timestamp), RECEIVED)

    assert fields_of(error) == ["timestamp"]
