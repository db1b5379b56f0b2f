"""The `funnels` catalog view holds each site's saved funnels as they are now (deleted ones
gone), for analysts and Grafana, in both event-store modes; and a saved funnel keeps its site's
rules: steps that are the site's goals, a name once per site."""

from __future__ import annotations

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM, Actor
from eventlens.commands.add_goal import AddGoal, add_goal
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.delete_funnel import DeleteFunnel, delete_funnel
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.save_funnel import SaveFunnel, save_funnel
from eventlens.domain.errors import AlreadyExists, InvalidInput, PermissionDenied
from eventlens.domain.user import Role
from eventlens.projections.catalog_views import CatalogViews
from tests.integration.backends import Backend, drain

pytestmark = [pytest.mark.postgres]


def test_the_funnels_view_follows_the_sites_saved_funnels(backend: Backend) -> None:
    catalog = backend.catalog
    register_schema(RegisterSchema(SYSTEM, "shop", None, {"page_view": {}}), catalog)
    site = create_adaptor(CreateAdaptor(SYSTEM, "Shop", "shop"), catalog).container_id
    add_goal(AddGoal(SYSTEM, site, page_path="/pricing"), catalog)
    add_goal(AddGoal(SYSTEM, site, event_name="Signup"), catalog)
    steps = ["Visit /pricing", "Signup"]
    kept = save_funnel(SaveFunnel(SYSTEM, site, "Signups", steps, "7d"), catalog)
    dropped = save_funnel(SaveFunnel(SYSTEM, site, "Old", steps), catalog)
    delete_funnel(DeleteFunnel(SYSTEM, site, dropped.funnel_id), catalog)
    backend.relay_catalog()

    drain(backend.worker(CatalogViews(catalog)), 2)

    with psycopg.connect(backend.database_url) as conn:
        rows = conn.execute(
            "SELECT funnel_id, name, steps, within FROM funnels WHERE container_id = %s",
            (site,),
        ).fetchall()
    assert rows == [(kept.funnel_id, "Signups", steps, "7d")]


def test_a_saved_funnel_keeps_its_sites_rules(backend: Backend) -> None:
    catalog = backend.catalog
    register_schema(RegisterSchema(SYSTEM, "blog", None, {"page_view": {}}), catalog)
    site = create_adaptor(CreateAdaptor(SYSTEM, "Blog", "blog"), catalog).container_id
    add_goal(AddGoal(SYSTEM, site, page_path="/"), catalog)
    add_goal(AddGoal(SYSTEM, site, page_path="/about"), catalog)
    steps = ["Visit /", "Visit /about"]
    save_funnel(SaveFunnel(SYSTEM, site, "About", steps), catalog)
    viewer = Actor("someone", Role.VIEWER)

    with pytest.raises(AlreadyExists):
        save_funnel(SaveFunnel(SYSTEM, site, "About", steps), catalog)
    with pytest.raises(InvalidInput) as unknown:
        save_funnel(SaveFunnel(SYSTEM, site, "Other", ["Visit /", "Visit /nowhere"]), catalog)
    with pytest.raises(PermissionDenied):
        save_funnel(SaveFunnel(viewer, site, "Mine", steps), catalog)

    assert unknown.value.field == "steps"
