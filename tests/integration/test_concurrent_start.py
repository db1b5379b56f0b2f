"""Processes started together on a fresh database (the API and its worker, several workers)
all come up: setting up the store and the catalog is serialised."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import pytest

from eventlens.eventstore.catalog import open_catalog

pytestmark = [pytest.mark.postgres]


def test_several_processes_can_open_the_catalog_of_a_fresh_database_at_once(
    database_url: str,
) -> None:
    with ThreadPoolExecutor(6) as pool:
        catalogs = list(pool.map(lambda _: open_catalog(database_url), range(6)))
    for catalog in catalogs:
        assert not catalog.has(uuid4())  # its tables are there and readable
        catalog.close()
