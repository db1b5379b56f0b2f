"""The catalog cache when its database goes away: a request is served from memory after one
look, instead of an exception or a wait behind the recorder's retries."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.eventstore.catalog import Catalog, open_catalog
from eventlens.projections.catalog_cache import CatalogCache
from tests.services import RestartablePostgres

pytestmark = [pytest.mark.postgres]

BOUND = 15.0  # seconds: far above one look (about 2 s), below the recorder's ten (about 22 s)


@pytest.fixture
def catalog(database_server: RestartablePostgres) -> Iterator[Catalog]:
    catalog = open_catalog(database_server.url)
    register_schema(RegisterSchema(SYSTEM, "shop", "Shop", {"page_view": {}}), catalog)
    try:
        yield catalog
    finally:
        catalog.close()


def in_thread(call: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread


def test_a_request_after_the_database_went_away_is_served_from_memory(
    database_server: RestartablePostgres, catalog: Catalog
) -> None:
    # Given a cache that read the catalog
    cache = CatalogCache(catalog)
    cache.sync()
    assert cache.schema("shop") is not None and cache.reachable

    # When the database stops and a request syncs
    database_server.stop()
    syncing = in_thread(cache.sync)
    syncing.join(BOUND)

    # Then it returns after one look, marks the database away, and serves what it knew
    assert not syncing.is_alive(), "the sync waited out the recorder's retries"
    assert cache.reachable is False
    assert cache.schema("shop") is not None
    # and the next requests do not look again
    cache.sync()
    assert cache.reachable is False


def test_a_request_does_not_queue_behind_a_refresh_stalled_on_the_outage(
    database_server: RestartablePostgres, catalog: Catalog
) -> None:
    # Given a cache whose follower-style refresh is retrying against a database just stopped
    cache = CatalogCache(catalog)
    cache.refresh()
    database_server.stop()

    def refresh_until_the_recorder_gives_up() -> None:
        with contextlib.suppress(Exception):
            cache.refresh()

    refreshing = in_thread(refresh_until_the_recorder_gives_up)
    time.sleep(0.5)  # it holds the cache's lock, as a follower's refresh would

    # When a request syncs meanwhile
    syncing = in_thread(cache.sync)
    syncing.join(BOUND)

    # Then it is served from memory while the refresh is still retrying
    assert not syncing.is_alive(), "the sync queued behind the stalled refresh"
    assert refreshing.is_alive()
    assert cache.schema("shop") is not None
    refreshing.join()
