"""Shared links: given events, when a command, then events; the token a link is exchanged
for reads the stats of its one site, and stops with the link."""

from __future__ import annotations

import pytest

from eventlens.access.actors import Unauthenticated, actor_from_token
from eventlens.access.readers import (
    Credential,
    ReadableSites,
    StatsReader,
    readable_sites,
    site_for,
    stats_reader_from_token,
)
from eventlens.access.tokens import TokenIssuer
from eventlens.commands.actor import Actor
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.create_shared_link import CreateSharedLink, create_shared_link
from eventlens.commands.passwords import verify_password
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.revoke_shared_link import RevokeSharedLink, revoke_shared_link
from eventlens.domain.adaptor import Adaptor
from eventlens.domain.credentials import MAX_SHARED_LINKS, secret_digest
from eventlens.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from eventlens.domain.user import Role
from eventlens.eventstore.catalog import Catalog
from eventlens.projections.catalog_cache import CatalogCache

ADMIN = Actor("root", Role.ADMIN)
VIEWER = Actor("val", Role.VIEWER)
TOKEN = "t" * 43
TOKENS = TokenIssuer("a signing key long enough for HS256 tokens")


def given_a_site() -> Adaptor:
    adaptor = Adaptor.create("CAP-ABC123", "Shop", "shop", ["https://shop.test"], None, None)
    adaptor.collect_events()
    return adaptor


@pytest.fixture
def catalog() -> Catalog:
    catalog = Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    register_schema(RegisterSchema(ADMIN, "shop", None, {"page_view": {}}), catalog)
    return catalog


@pytest.fixture
def site(catalog: Catalog) -> str:
    return create_adaptor(CreateAdaptor(ADMIN, "Shop", "shop"), catalog).container_id


def test_sharing_a_site_records_the_tokens_digest_and_never_the_token() -> None:
    adaptor = given_a_site()

    link = adaptor.create_shared_link("l1", "Investors", TOKEN, None)

    [created] = adaptor.collect_events()
    assert type(created).__qualname__ == "Adaptor.SharedLinkCreated"
    assert TOKEN not in repr(created.__dict__)
    assert (link.name, link.digest, link.has_password) == ("Investors", secret_digest(TOKEN), False)
    assert link.created_at == created.timestamp


def test_revoking_a_link_records_it_and_forgets_the_link() -> None:
    adaptor = given_a_site()
    adaptor.create_shared_link("l1", None, TOKEN, None)
    adaptor.collect_events()

    adaptor.revoke_shared_link("l1")

    assert [type(e).__qualname__ for e in adaptor.collect_events()] == ["Adaptor.SharedLinkRevoked"]
    assert adaptor.shared_links == {}
    with pytest.raises(NotFound, match="'l1'"):
        adaptor.revoke_shared_link("l1")


def test_a_site_has_a_bounded_number_of_links() -> None:
    adaptor = given_a_site()
    for n in range(MAX_SHARED_LINKS):
        adaptor.create_shared_link(f"l{n}", None, f"{TOKEN}{n}", None)
    with pytest.raises(Conflict, match="at most"):
        adaptor.create_shared_link("one-more", None, TOKEN, None)


def test_admins_share_sites_and_viewers_may_not(catalog: Catalog, site: str) -> None:
    with pytest.raises(PermissionDenied):
        create_shared_link(CreateSharedLink(VIEWER, site), catalog)

    issued = create_shared_link(CreateSharedLink(ADMIN, site, "Public"), catalog)

    assert len(issued.token) == 43  # 32 random bytes, URL-safe
    assert catalog.adaptor(site).shared_links == {issued.link.id: issued.link}
    with pytest.raises(PermissionDenied):
        revoke_shared_link(RevokeSharedLink(VIEWER, site, issued.link.id), catalog)


def test_a_links_password_is_kept_as_an_argon2_hash(catalog: Catalog, site: str) -> None:
    issued = create_shared_link(CreateSharedLink(ADMIN, site, password="open sesame"), catalog)

    password_hash = issued.link.password_hash
    assert password_hash is not None and password_hash.startswith("$argon2id$")
    assert verify_password(password_hash, "open sesame")
    with pytest.raises(InvalidInput) as refused:
        create_shared_link(CreateSharedLink(ADMIN, site, password="short"), catalog)
    assert refused.value.field == "password"


def test_sharing_an_unknown_site_is_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFound):
        create_shared_link(CreateSharedLink(ADMIN, "CAP-NONE23"), catalog)


def test_the_cache_finds_a_link_by_its_token_until_it_is_revoked(
    catalog: Catalog, site: str
) -> None:
    cache = CatalogCache(catalog)
    issued = create_shared_link(CreateSharedLink(ADMIN, site), catalog)
    cache.refresh()

    found = cache.shared_link(issued.token)
    assert found is not None and (found[0].container_id, found[1]) == (site, issued.link)
    assert cache.shared_link(issued.link.digest) is None

    revoke_shared_link(RevokeSharedLink(ADMIN, site, issued.link.id), catalog)
    cache.refresh()
    assert cache.shared_link(issued.token) is None


def test_a_links_token_reads_its_own_site_only(catalog: Catalog, site: str) -> None:
    cache = CatalogCache(catalog)
    link = create_shared_link(CreateSharedLink(ADMIN, site), catalog).link
    cache.refresh()

    reader = stats_reader_from_token(cache, TOKENS, TOKENS.issue_shared(site, link.id))

    assert (reader.credential, reader.site, reader.username) == (
        Credential.SHARED_LINK,
        site,
        None,
    )
    assert readable_sites(reader) == ReadableSites(only=site)
    assert not readable_sites(reader).allows("CAP-OTHER2")


def test_a_links_token_stops_when_the_link_is_revoked(catalog: Catalog, site: str) -> None:
    cache = CatalogCache(catalog)
    link = create_shared_link(CreateSharedLink(ADMIN, site), catalog).link
    token = TOKENS.issue_shared(site, link.id)
    revoke_shared_link(RevokeSharedLink(ADMIN, site, link.id), catalog)
    cache.refresh()

    with pytest.raises(Unauthenticated, match="revoked"):
        stats_reader_from_token(cache, TOKENS, token)


def test_an_expired_or_forged_links_token_reads_nothing(catalog: Catalog, site: str) -> None:
    cache = CatalogCache(catalog)
    link = create_shared_link(CreateSharedLink(ADMIN, site), catalog).link
    cache.refresh()
    expired = TokenIssuer("a signing key long enough for HS256 tokens", shared_ttl=-1)
    forged = TokenIssuer("someone else's key, long enough for HS256")

    for token in (expired.issue_shared(site, link.id), forged.issue_shared(site, link.id)):
        with pytest.raises(Unauthenticated):
            stats_reader_from_token(cache, TOKENS, token)


def test_a_links_token_opens_nothing_but_stats(catalog: Catalog, site: str) -> None:
    cache = CatalogCache(catalog)
    link = create_shared_link(CreateSharedLink(ADMIN, site), catalog).link
    cache.refresh()

    with pytest.raises(Unauthenticated, match="only reads stats"):
        actor_from_token(cache, TOKENS, TOKENS.issue_shared(site, link.id))


def test_a_stats_request_is_narrowed_to_the_site_a_link_opens() -> None:
    shared = StatsReader(Credential.SHARED_LINK, site="CAP-ABC123")
    user = StatsReader(Credential.SESSION, username="ann")

    assert site_for(shared, None) == "CAP-ABC123"
    assert site_for(shared, "CAP-ABC123") == "CAP-ABC123"
    with pytest.raises(PermissionDenied, match="CAP-ABC123 only"):
        site_for(shared, "CAP-OTHER2")
    assert site_for(user, None) is None
    assert site_for(user, "CAP-OTHER2") == "CAP-OTHER2"
