"""The Schema aggregate: a named set of event types, each with an optional JSON Schema."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from eventlens.domain.errors import AlreadyExists, Conflict, InvalidInput
from eventlens.domain.json_schema import check_property_schema
from eventlens.domain.names import check_event_type, check_schema_name

MAX_EVENT_TYPES = 500
MAX_DESCRIPTION = 2000

EventTypes = dict[str, dict[str, Any]]


def schema_id_for(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"eventlens:schema:{name}")


def check_event_types(event_types: object) -> EventTypes:
    """Validate the seed's `properties` map: event type -> JSON Schema of its properties."""
    if not isinstance(event_types, dict):
        raise InvalidInput(
            "properties must be an object mapping event types to JSON Schemas",
            field="properties",
        )
    # No custom type is fine: the tracker's standard types (page views, outbound clicks,
    # downloads, engagement) need no declaration, so a site measured for web analytics
    # alone declares nothing.
    if len(event_types) > MAX_EVENT_TYPES:
        raise InvalidInput(
            f"a schema may define at most {MAX_EVENT_TYPES} event types", field="properties"
        )
    checked: EventTypes = {}
    for name, json_schema in event_types.items():
        check_event_type(name)
        checked[name] = check_property_schema(name, json_schema)
    return checked


def check_description(description: object) -> str:
    if description is None:
        return ""
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise InvalidInput(
            f"description must be a string of at most {MAX_DESCRIPTION} characters",
            field="description",
        )
    return description


class Schema(Aggregate):
    """An event schema. `schema_version` counts the definitions it has had."""

    @staticmethod
    def create_id(name: str, **_: Any) -> UUID:
        return schema_id_for(name)

    @classmethod
    def register(cls, name: str, description: str | None, event_types: object) -> Schema:
        return cls(
            name=check_schema_name(name),
            description=check_description(description),
            event_types=check_event_types(event_types),
        )

    @event("Registered")
    def __init__(self, name: str, description: str, event_types: EventTypes) -> None:
        self.name = name
        self.description = description
        self.event_types = event_types
        self.schema_version = 1
        self.retired = False

    def update(self, description: str | None, event_types: object | None) -> None:
        if self.retired:
            raise Conflict(f"schema {self.name!r} is retired; register it again to reinstate it")
        new_description = (
            self.description if description is None else check_description(description)
        )
        new_types = self.event_types if event_types is None else check_event_types(event_types)
        if new_description == self.description and new_types == self.event_types:
            return
        self._updated(description=new_description, event_types=new_types)

    @event("Updated")
    def _updated(self, description: str, event_types: EventTypes) -> None:
        self.description = description
        self.event_types = event_types
        self.schema_version += 1

    def retire(self) -> None:
        if self.retired:
            raise Conflict(f"schema {self.name!r} is already retired")
        self._retired()

    @event("Retired")
    def _retired(self) -> None:
        self.retired = True

    def reinstate(self, description: str | None, event_types: object) -> None:
        if not self.retired:
            raise AlreadyExists(f"schema {self.name!r} already exists")
        self._reinstated(
            description=check_description(description),
            event_types=check_event_types(event_types),
        )

    @event("Reinstated")
    def _reinstated(self, description: str, event_types: EventTypes) -> None:
        self.description = description
        self.event_types = event_types
        self.schema_version += 1
        self.retired = False
