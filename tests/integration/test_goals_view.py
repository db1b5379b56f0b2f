"""The `goals` catalog view holds each site's goals as they are now (removed ones gone), for
analysts and Grafana, in both event-store modes; `views.goals.stored_goals` reads them back."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from eventlens.commands.actor import SYSTEM
from eventlens.commands.add_goal import AddGoal, add_goal
from eventlens.commands.create_adaptor import CreateAdaptor, create_adaptor
from eventlens.commands.register_schema import RegisterSchema, register_schema
from eventlens.commands.remove_goal import RemoveGoal, remove_goal
from eventlens.projections.catalog_views import CatalogViews
from eventlens.views.goals import stored_goals
from tests.integration.backends import Backend, drain

pytestmark = [pytest.mark.postgres]


def test_the_goals_view_follows_the_sites_goals(backend: Backend) -> None:
    catalog = backend.catalog
    register_schema(RegisterSchema(SYSTEM, "shop", None, {"page_view": {}}), catalog)
    shop = create_adaptor(CreateAdaptor(SYSTEM, "Shop", "shop"), catalog)
    site = shop.container_id
    signup = add_goal(AddGoal(SYSTEM, site, event_name="Signup", currency="EUR"), catalog)
    blog = add_goal(AddGoal(SYSTEM, site, page_path="/blog/**"), catalog)
    dropped = add_goal(AddGoal(SYSTEM, site, page_path="/old"), catalog)
    remove_goal(RemoveGoal(SYSTEM, site, dropped.goal_id), catalog)
    backend.relay_catalog()

    drain(backend.worker(CatalogViews(catalog)), 2)

    with psycopg.connect(backend.database_url) as conn:
        rows = conn.execute(
            "SELECT name, display_name, event_name, page_path, page_regex, currency FROM goals "
            "WHERE container_id = %s ORDER BY created_at",
            (site,),
        ).fetchall()
    assert rows == [
        ("Signup", "Signup", "Signup", None, None, "EUR"),
        ("Visit /blog/**", "Visit /blog/**", None, "/blog/**", "^/blog/.*$", None),
    ]

    async def read() -> list[str]:
        conn = await psycopg.AsyncConnection.connect(backend.database_url)
        async with conn:
            return [g.goal_id for g in await stored_goals(conn, site)]

    assert asyncio.run(read()) == [signup.goal_id, blog.goal_id]
