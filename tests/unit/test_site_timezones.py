"""A site's time zone: given events, when a command, then events; and adaptors recorded
before sites had time zones still load, in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from eventlens.commands.actor import Actor
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.update_adaptor import UpdateAdaptor, update_adaptor
from eventlens.domain.adaptor import Adaptor, adaptor_id_for
from eventlens.domain.errors import InvalidInput
from eventlens.domain.timezones import check_timezone
from eventlens.domain.user import Role
from eventlens.eventstore.catalog import Catalog
from eventlens.projections.catalog_cache import CatalogCache

ADMIN = Actor("root", Role.ADMIN)


def make_adaptor(**overrides: object) -> Adaptor:
    values: dict[str, object] = {
        "container_id": "CAP-ABC123",
        "name": "Shop",
        "schema_name": "shop",
        "website_urls": ["https://shop.test"],
        "allowed_origins": None,
        "description": None,
    }
    values.update(overrides)
    return Adaptor.create(**values)  # type: ignore[arg-type]


@pytest.fixture
def catalog() -> Catalog:
    catalog = Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_schema(RegisterSchema(ADMIN, "shop", None, {"page_view": {}}), catalog)
    return catalog


def test_a_site_counts_in_utc_unless_told_otherwise() -> None:
    assert make_adaptor().timezone == "UTC"
    assert make_adaptor(timezone="Europe/Paris").timezone == "Europe/Paris"


def test_a_time_zone_is_an_iana_name_in_its_canonical_spelling() -> None:
    assert check_timezone("america/new_york") == "America/New_York"
    assert check_timezone(" Asia/Kolkata ") == "Asia/Kolkata"
    assert check_timezone("utc") == "UTC"


@pytest.mark.parametrize("value", ["Mars/Olympus", "", "+02:00", "CET" * 30, 7, ["UTC"]])
def test_anything_else_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(InvalidInput, match="not a time zone") as refused:
        make_adaptor(timezone=value)
    assert refused.value.field == "timezone"


def test_changing_the_time_zone_records_an_update_and_leaves_the_rest() -> None:
    adaptor = make_adaptor()
    adaptor.collect_events()

    adaptor.update(timezone="Pacific/Auckland")

    [updated] = adaptor.collect_events()
    assert type(updated).__qualname__ == "Adaptor.Updated"
    assert adaptor.timezone == "Pacific/Auckland"
    assert (adaptor.name, adaptor.website_urls) == ("Shop", ["https://shop.test"])


def test_an_update_that_leaves_the_time_zone_keeps_it() -> None:
    adaptor = make_adaptor(timezone="Europe/Berlin")
    adaptor.update(name="Shop (EU)")
    assert adaptor.timezone == "Europe/Berlin"


def test_setting_the_same_time_zone_records_nothing() -> None:
    adaptor = make_adaptor(timezone="Europe/Berlin")
    adaptor.collect_events()
    adaptor.update(timezone="europe/berlin")
    assert adaptor.collect_events() == []


def test_the_commands_set_the_time_zone_on_create_and_update(catalog: Catalog) -> None:
    created = create_adaptor(CreateAdaptor(ADMIN, "Shop", "shop", timezone="Asia/Tokyo"), catalog)
    assert catalog.adaptor(created.container_id).timezone == "Asia/Tokyo"

    update_adaptor(UpdateAdaptor(ADMIN, created.container_id, timezone="UTC"), catalog)

    assert catalog.adaptor(created.container_id).timezone == "UTC"


def record_as_before_time_zones(catalog: Catalog, container_id: str) -> UUID:
    """Store an adaptor's Created and Updated events as they were recorded before sites had
    time zones: no `timezone` field and no class version."""
    adaptor_id = adaptor_id_for(container_id)
    fields = {
        "name": "Old shop",
        "schema_name": "shop",
        "website_urls": ["https://old.test"],
        "allowed_origins": [],
        "description": "",
    }
    created: dict[str, Any] = {
        "timestamp": datetime(2025, 1, 1, tzinfo=UTC),
        "originator_topic": get_topic(Adaptor),
        "container_id": container_id,
        **fields,
    }
    updated = {"timestamp": datetime(2025, 2, 1, tzinfo=UTC), **fields, "name": "Old shop 2"}
    encode = catalog.mapper.transcoder.encode
    catalog.recorder.insert_events(
        [
            StoredEvent(adaptor_id, 1, get_topic(Adaptor.Created), encode(created)),
            StoredEvent(adaptor_id, 2, get_topic(Adaptor.Updated), encode(updated)),
        ]
    )
    return adaptor_id


def test_adaptors_recorded_before_time_zones_load_in_utc_and_can_be_changed(
    catalog: Catalog,
) -> None:
    record_as_before_time_zones(catalog, "CAP-OLD234")

    old = catalog.adaptor("CAP-OLD234")
    assert (old.name, old.timezone) == ("Old shop 2", "UTC")
    assert old.shared_links == {}

    update_adaptor(UpdateAdaptor(ADMIN, "CAP-OLD234", timezone="America/Chicago"), catalog)
    assert catalog.adaptor("CAP-OLD234").timezone == "America/Chicago"


def test_the_catalog_cache_reads_old_and_new_adaptors_alike(catalog: Catalog) -> None:
    record_as_before_time_zones(catalog, "CAP-OLD234")
    create_adaptor(CreateAdaptor(ADMIN, "New", "shop", timezone="Europe/Paris"), catalog)
    cache = CatalogCache(catalog)

    cache.refresh()

    assert sorted(a.timezone for a in cache.adaptors()) == ["Europe/Paris", "UTC"]
