"""What an anonymous sender learns from a rejection: what is wrong with its event, not what
else the catalog holds. The rejected-events store, which only signed-in users read, keeps the
full reasons."""

from __future__ import annotations

import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.register_schema import RegisterSchema, register_schema
from tests.unit.fakes import InMemoryStore, Site
from tests.unit.test_ingest import event, make_ingest, send

SECRET_TYPES = {"page_view": {}, "checkout_secret_campaign": {}}


@pytest.fixture
def site() -> Site:
    return Site(SECRET_TYPES, ["http://localhost:8080"])


def test_an_unknown_event_type_is_named_without_listing_the_schemas_types(site: Site) -> None:
    store = InMemoryStore()

    answer = send(make_ingest(site, store), event(site, event_type="teleport"))

    assert answer.status == 422
    assert b"teleport" in answer.body
    assert b"checkout_secret_campaign" not in answer.body
    [rejected] = store.rejected
    assert "checkout_secret_campaign" in rejected.reasons[0].message


def test_an_adaptor_of_another_schema_is_refused_without_naming_that_schema(site: Site) -> None:
    register_schema(RegisterSchema(SYSTEM, "other_site", None, {"page_view": {}}), site.catalog)
    site.cache.refresh()
    store = InMemoryStore()

    answer = send(make_ingest(site, store), event(site, schema_id="other_site"))

    assert answer.status == 422
    assert b"other_site" in answer.body  # what the sender named
    assert b"'site'" not in answer.body  # what the adaptor really tracks
    assert "'site'" in store.rejected[0].reasons[0].message


def test_a_batch_tells_each_event_the_same_short_reasons(site: Site) -> None:
    store = InMemoryStore()

    answer = send(
        make_ingest(site, store),
        {"events": [event(site), event(site, event_type="teleport")]},
        path="/api/events/batch",
    )

    assert answer.status == 202
    assert b"checkout_secret_campaign" not in answer.body
