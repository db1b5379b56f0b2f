"""The offline geo database (DB-IP Lite, as scripts/geoip fetches it): public addresses are
placed, private, loopback and malformed ones are not, IPv6 too."""

from __future__ import annotations

import os

import pytest

from eventlens.config import Settings
from eventlens.domain.visitors import Location
from eventlens.runtime.visitors import GeoDatabase


@pytest.fixture(scope="module")
def geo() -> GeoDatabase:
    path = Settings().geoip_db
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI fetches the geo database (scripts/geoip fetch)")
        pytest.skip("no geo database: run scripts/geoip fetch")
    return GeoDatabase(path)


@pytest.mark.parametrize(
    ("address", "place"),
    [
        ("81.2.69.142", Location("GB", "England", "London")),
        ("8.8.8.8", Location("US", "California", "Mountain View")),
        ("2001:4860:4860::8888", Location("CA", "Quebec", "Montreal")),
    ],
)
def test_a_public_address_is_placed(geo: GeoDatabase, address: str, place: Location) -> None:
    assert geo.locate(address) == place


@pytest.mark.parametrize("address", ["10.0.0.1", "127.0.0.1", "::1", "192.168.1.20", "", "x"])
def test_private_loopback_and_malformed_addresses_are_placed_nowhere(
    geo: GeoDatabase, address: str
) -> None:
    assert geo.locate(address) is None
