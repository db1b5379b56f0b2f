"""Catalog commands against the in-memory recorder: role checks, identity clashes, rules."""

from __future__ import annotations

import pytest

from eventlens.commands.actor import Actor
from eventlens.commands.change_password import ChangePassword, change_password
from eventlens.commands.change_role import ChangeRole, change_role
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.create_user import CreateUser, create_user
from eventlens.commands.disable_adaptor import DisableAdaptor, disable_adaptor
from eventlens.commands.passwords import verify_password
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.retire_schema import RetireSchema, retire_schema
from eventlens.commands.update_schema import UpdateSchema, update_schema
from eventlens.commands.update_user import UpdateUser, update_user
from eventlens.domain.errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from eventlens.domain.user import Role
from eventlens.eventstore.catalog import Catalog

ADMIN = Actor("root", Role.ADMIN)
VIEWER = Actor("val", Role.VIEWER)
TYPES = {"page_view": {}}


@pytest.fixture
def catalog() -> Catalog:
    return Catalog(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_admins_register_schemas_and_viewers_may_not(catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied):
        register_schema(RegisterSchema(VIEWER, "shop", None, TYPES), catalog)
    schema = register_schema(RegisterSchema(ADMIN, "shop", "Shop", TYPES), catalog)
    assert catalog.schema("shop").id == schema.id


def test_registering_an_existing_name_is_a_clash(catalog: Catalog) -> None:
    register_schema(RegisterSchema(ADMIN, "shop", None, TYPES), catalog)
    with pytest.raises(AlreadyExists, match="already exists"):
        register_schema(RegisterSchema(ADMIN, "shop", None, TYPES), catalog)


def test_a_retired_schema_is_reinstated_by_registering_it_again(catalog: Catalog) -> None:
    register_schema(RegisterSchema(ADMIN, "shop", None, TYPES), catalog)
    retire_schema(RetireSchema(ADMIN, "shop"), catalog)
    register_schema(RegisterSchema(ADMIN, "shop", None, {"buy": {}}), catalog)
    assert catalog.schema("shop").event_types == {"buy": {}}


def test_updating_an_unknown_schema_is_not_found(catalog: Catalog) -> None:
    with pytest.raises(NotFound, match="'ghost'"):
        update_schema(UpdateSchema(ADMIN, "ghost", "x"), catalog)


def test_an_adaptor_needs_an_existing_active_schema_and_gets_a_container_id(
    catalog: Catalog,
) -> None:
    with pytest.raises(NotFound):
        create_adaptor(CreateAdaptor(ADMIN, "Site", "shop"), catalog)
    register_schema(RegisterSchema(ADMIN, "shop", None, TYPES), catalog)
    adaptor = create_adaptor(CreateAdaptor(ADMIN, "Site", "shop", ["https://shop.test"]), catalog)
    assert adaptor.container_id.startswith("CAP-") and len(adaptor.container_id) == 10
    disable_adaptor(DisableAdaptor(ADMIN, adaptor.container_id), catalog)
    assert not catalog.adaptor(adaptor.container_id).active
    retire_schema(RetireSchema(ADMIN, "shop"), catalog)
    with pytest.raises(InvalidInput, match="retired"):
        create_adaptor(CreateAdaptor(ADMIN, "Site 2", "shop"), catalog)


def test_users_are_created_by_admins_with_hashed_passwords(catalog: Catalog) -> None:
    with pytest.raises(PermissionDenied):
        create_user(CreateUser(VIEWER, "eve", "password123", "admin"), catalog)
    user = create_user(CreateUser(ADMIN, "ann", "correct horse", "viewer"), catalog)
    assert "correct horse" not in user.password_hash
    assert verify_password(user.password_hash, "correct horse")
    with pytest.raises(AlreadyExists):
        create_user(CreateUser(ADMIN, "ann", "another one", "viewer"), catalog)
    with pytest.raises(InvalidInput, match="password"):
        create_user(CreateUser(ADMIN, "bob", "short", "viewer"), catalog)


def test_users_change_their_own_password_knowing_the_current_one(catalog: Catalog) -> None:
    create_user(CreateUser(ADMIN, "ann", "correct horse", "viewer"), catalog)
    ann = Actor("ann", Role.VIEWER)
    with pytest.raises(InvalidInput, match="current password"):
        change_password(ChangePassword(ann, "ann", "new password", "wrong"), catalog)
    change_password(ChangePassword(ann, "ann", "new password", "correct horse"), catalog)
    assert verify_password(catalog.user("ann").password_hash, "new password")
    with pytest.raises(PermissionDenied):
        change_password(ChangePassword(ann, "root", "hijacked!"), catalog)


def test_admins_need_the_current_password_to_change_their_own(catalog: Catalog) -> None:
    create_user(CreateUser(ADMIN, "root", "root password", "admin"), catalog)

    with pytest.raises(InvalidInput, match="current password"):
        change_password(ChangePassword(ADMIN, "root", "new password"), catalog)
    change_password(ChangePassword(ADMIN, "root", "new password", "root password"), catalog)

    assert verify_password(catalog.user("root").password_hash, "new password")


def test_a_viewer_cannot_update_another_user_nor_learn_whether_one_exists(
    catalog: Catalog,
) -> None:
    create_user(CreateUser(ADMIN, "ann", "correct horse", "viewer"), catalog)

    for username in ("ann", "nobody"):
        with pytest.raises(PermissionDenied):
            update_user(UpdateUser(VIEWER, username), catalog)


def test_a_user_update_records_all_its_changes_or_none(catalog: Catalog) -> None:
    create_user(CreateUser(ADMIN, "ann", "correct horse", "viewer"), catalog)

    with pytest.raises(InvalidInput, match="password"):
        update_user(UpdateUser(ADMIN, "ann", role="admin", new_password="short"), catalog)
    assert not catalog.user("ann").is_admin

    update_user(UpdateUser(ADMIN, "ann", role="admin", new_password="long enough"), catalog)
    ann = catalog.user("ann")
    assert ann.is_admin
    assert verify_password(ann.password_hash, "long enough")


def test_admins_change_roles_but_not_their_own(catalog: Catalog) -> None:
    create_user(CreateUser(ADMIN, "ann", "correct horse", "viewer"), catalog)
    change_role(ChangeRole(ADMIN, "ann", "admin"), catalog)
    assert catalog.user("ann").is_admin
    with pytest.raises(Conflict):
        change_role(ChangeRole(ADMIN, "root", "viewer"), catalog)
