"""API keys: given events, when a command, then events; who may manage whose keys; and what
a key opens (stats, and nothing else)."""

from __future__ import annotations

import pytest

from eventlens.access.actors import Unauthenticated, actor_from_token
from eventlens.access.readers import (
    EVERY_SITE,
    Credential,
    readable_sites,
    stats_reader_from_token,
)
from eventlens.access.tokens import TokenIssuer
from eventlens.commands.actor import Actor
from eventlens.commands.create_api_key import CreateApiKey, create_api_key
from eventlens.commands.create_user import CreateUser, create_user
from eventlens.commands.remove_user import RemoveUser, remove_user
from eventlens.commands.revoke_api_key import RevokeApiKey, revoke_api_key
from eventlens.domain.credentials import MAX_API_KEYS, secret_digest
from eventlens.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from eventlens.domain.user import Role, User
from eventlens.eventstore.catalog import Catalog
from eventlens.projections.catalog_cache import CatalogCache

ADMIN = Actor("root", Role.ADMIN)
ANN = Actor("ann", Role.VIEWER)
BOB = Actor("bob", Role.VIEWER)
SECRET = "el_" + "k" * 43
TOKENS = TokenIssuer("a signing key long enough for HS256 tokens")


def given_ann() -> User:
    user = User.create("ann", "argon2-hash", "viewer")
    user.collect_events()
    return user


@pytest.fixture
def catalog() -> Catalog:
    catalog = Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    for actor in (ADMIN, ANN, BOB):
        create_user(CreateUser(ADMIN, actor.username, "a good password", actor.role), catalog)
    return catalog


def test_creating_a_key_records_its_digest_and_never_its_secret() -> None:
    user = given_ann()

    key = user.create_api_key("k1", "Report script", "stats:read", SECRET)

    [created] = user.collect_events()
    assert type(created).__qualname__ == "User.ApiKeyCreated"
    assert SECRET not in repr(created.__dict__)
    assert (key.name, key.scope, key.prefix) == ("Report script", "stats:read", SECRET[:10])
    assert key.digest == secret_digest(SECRET)
    assert key.created_at == created.timestamp


def test_a_key_without_a_name_is_called_api_key() -> None:
    assert given_ann().create_api_key("k1", None, "stats:read", SECRET).name == "API key"


@pytest.mark.parametrize(
    ("name", "scope", "field"),
    [("", "stats:read", "name"), ("x" * 101, "stats:read", "name"), ("ok", "admin", "scope")],
)
def test_a_key_with_a_bad_name_or_scope_is_refused(name: str, scope: str, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        given_ann().create_api_key("k1", name, scope, SECRET)
    assert refused.value.field == field


def test_revoking_a_key_records_it_and_forgets_the_key() -> None:
    user = given_ann()
    user.create_api_key("k1", None, "stats:read", SECRET)
    user.collect_events()

    user.revoke_api_key("k1")

    assert [type(e).__qualname__ for e in user.collect_events()] == ["User.ApiKeyRevoked"]
    assert user.api_keys == {}
    with pytest.raises(NotFound, match="'k1'"):
        user.revoke_api_key("k1")


def test_a_user_holds_a_bounded_number_of_keys() -> None:
    user = given_ann()
    for n in range(MAX_API_KEYS):
        user.create_api_key(f"k{n}", None, "stats:read", f"{SECRET}{n}")
    with pytest.raises(Conflict, match="at most"):
        user.create_api_key("one-more", None, "stats:read", SECRET)


def test_removing_a_user_ends_their_keys_for_good() -> None:
    user = given_ann()
    user.create_api_key("k1", None, "stats:read", SECRET)

    user.remove()
    user.restore("new-hash", "viewer")

    assert user.api_keys == {}


def test_users_create_keys_for_themselves(catalog: Catalog) -> None:
    issued = create_api_key(CreateApiKey(ANN, "Script"), catalog)

    assert issued.secret.startswith("el_") and len(issued.secret) == 3 + 43
    assert catalog.user("ann").api_keys == {issued.key.id: issued.key}
    assert catalog.user("bob").api_keys == {}


def test_only_the_owner_or_an_admin_revokes_a_key(catalog: Catalog) -> None:
    first = create_api_key(CreateApiKey(ANN), catalog).key
    second = create_api_key(CreateApiKey(ANN), catalog).key

    with pytest.raises(PermissionDenied):
        revoke_api_key(RevokeApiKey(BOB, "ann", first.id), catalog)
    with pytest.raises(PermissionDenied):  # nor learns whether a user exists
        revoke_api_key(RevokeApiKey(BOB, "nobody", first.id), catalog)
    revoke_api_key(RevokeApiKey(ANN, "ann", first.id), catalog)
    revoke_api_key(RevokeApiKey(ADMIN, "ann", second.id), catalog)

    assert catalog.user("ann").api_keys == {}


def test_the_cache_finds_a_key_by_its_secret_until_it_is_revoked(catalog: Catalog) -> None:
    cache = CatalogCache(catalog)
    issued = create_api_key(CreateApiKey(ANN), catalog)
    cache.refresh()

    found = cache.api_key(issued.secret)
    assert found is not None and (found[0].username, found[1]) == ("ann", issued.key)
    assert cache.api_key(issued.secret[:-1] + "x") is None
    assert cache.api_key(issued.key.digest) is None  # the digest is not a key

    revoke_api_key(RevokeApiKey(ANN, "ann", issued.key.id), catalog)
    cache.refresh()
    assert cache.api_key(issued.secret) is None


def test_a_key_reads_the_stats_of_every_site(catalog: Catalog) -> None:
    cache = CatalogCache(catalog)
    issued = create_api_key(CreateApiKey(ANN), catalog)
    cache.refresh()

    reader = stats_reader_from_token(cache, TOKENS, issued.secret)

    assert (reader.credential, reader.username) == (Credential.API_KEY, "ann")
    assert readable_sites(reader) == EVERY_SITE


def test_a_revoked_key_or_a_removed_users_key_reads_nothing(catalog: Catalog) -> None:
    cache = CatalogCache(catalog)
    revoked = create_api_key(CreateApiKey(ANN), catalog)
    bobs = create_api_key(CreateApiKey(BOB), catalog)
    revoke_api_key(RevokeApiKey(ANN, "ann", revoked.key.id), catalog)
    remove_user(RemoveUser(ADMIN, "bob"), catalog)
    cache.refresh()

    for secret in (revoked.secret, bobs.secret, "el_never-issued"):
        with pytest.raises(Unauthenticated, match="unknown or has been revoked"):
            stats_reader_from_token(cache, TOKENS, secret)


def test_a_key_opens_nothing_but_stats(catalog: Catalog) -> None:
    cache = CatalogCache(catalog)
    issued = create_api_key(CreateApiKey(ADMIN), catalog)
    cache.refresh()

    with pytest.raises(Unauthenticated, match="only reads stats"):
        actor_from_token(cache, TOKENS, issued.secret)


def test_a_signed_in_user_reads_the_stats_of_every_site(catalog: Catalog) -> None:
    cache = CatalogCache(catalog)
    cache.refresh()
    ann = catalog.user("ann")
    token = TOKENS.issue("ann", "viewer", ann.password_hash)

    reader = stats_reader_from_token(cache, TOKENS, token)

    assert (reader.credential, reader.username) == (Credential.SESSION, "ann")
    assert readable_sites(reader) == EVERY_SITE
