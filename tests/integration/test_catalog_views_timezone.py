"""The `adaptors` catalog view shows each site's time zone, and a view built before sites had
time zones is upgraded in place, its sites in UTC."""

from __future__ import annotations

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.projections.catalog_views import CatalogViews
from tests.integration.backends import Backend, drain

pytestmark = [pytest.mark.postgres]

ADAPTORS_BEFORE_TIME_ZONES = """
CREATE TABLE adaptors (
    container_id  text PRIMARY KEY,
    name          text NOT NULL,
    schema_id     text NOT NULL,
    website_urls  text[] NOT NULL,
    allowed_origins text[] NOT NULL,
    description   text NOT NULL,
    is_active     boolean NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);
INSERT INTO adaptors VALUES ('CAP-OLD234', 'Old', 'shop', '{}', '{}', '', true, now(), now());
"""


def test_the_adaptors_view_upgrades_in_place_and_shows_each_sites_time_zone(
    backend: Backend,
) -> None:
    with psycopg.connect(backend.database_url, autocommit=True) as conn:
        conn.execute(ADAPTORS_BEFORE_TIME_ZONES)
    catalog = backend.catalog
    register_schema(RegisterSchema(SYSTEM, "shop", None, {"page_view": {}}), catalog)
    paris = create_adaptor(CreateAdaptor(SYSTEM, "Paris", "shop", timezone="Europe/Paris"), catalog)
    backend.relay_catalog()

    drain(backend.worker(CatalogViews(catalog)), 2)

    with psycopg.connect(backend.database_url) as conn:
        rows = conn.execute("SELECT container_id, timezone FROM adaptors ORDER BY 2").fetchall()
    assert rows == [(paris.container_id, "Europe/Paris"), ("CAP-OLD234", "UTC")]
