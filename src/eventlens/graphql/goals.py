"""A site's goals in GraphQL, listed by anyone who reads its stats and added or removed by
admins (as `/api/goals/`). Their conversions are asked through `webStats`, as in
`POST /api/v2/query` (`event:goal` dimension or filter, `conversion_rate`...)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from eventlens.commands.add_goal import AddGoal, add_goal
from eventlens.commands.remove_goal import RemoveGoal, remove_goal
from eventlens.domain.errors import NotFound
from eventlens.domain.goals import Goal
from eventlens.graphql.commands import run_command, site_named
from eventlens.graphql.context import admin
from eventlens.graphql.web import platform_of, site_of
from eventlens.views.goals import goal_with_id


@strawberry.type(name="Goal")
class GoalType:
    id: str
    site_id: str = strawberry.field(description="The site's container id")
    name: str = strawberry.field(description="The event's name, or `Visit <path>`")
    display_name: str
    goal_type: str = strawberry.field(description="`event` or `page`")
    event_name: str | None
    page_path: str | None
    currency: str | None
    created_at: datetime

    @classmethod
    def of(cls, goal: Goal) -> GoalType:
        return cls(
            id=goal.goal_id,
            site_id=goal.container_id,
            name=goal.name,
            display_name=goal.display_name,
            goal_type=goal.kind,
            event_name=goal.event_name,
            page_path=goal.page_path,
            currency=goal.currency,
            created_at=goal.created_at,
        )


@strawberry.type
class GoalsQuery:
    @strawberry.field(description="A site's goals (its domain or container id), oldest first.")
    def goals(self, info: Info, site_id: str) -> list[GoalType]:
        return [GoalType.of(goal) for goal in site_of(info, site_id).goals]


@strawberry.type
class GoalsMutation:
    @strawberry.mutation(
        description="Add a goal to a site (admins only): exactly one of eventName and pagePath "
        "(`*` wildcards). It counts conversions over the site's whole history, at once."
    )
    async def add_goal(
        self,
        info: Info,
        site_id: str,
        event_name: str | None = None,
        page_path: str | None = None,
        display_name: str | None = None,
        currency: str | None = None,
    ) -> GoalType:
        who = admin(info)
        site = site_named(info, site_id)
        command = AddGoal(who, site.container_id, event_name, page_path, display_name, currency)
        return GoalType.of(await run_command(info, add_goal, command))

    @strawberry.mutation(
        description="Remove a goal (admins only). The events that reached it stay; its "
        "conversions are no longer counted."
    )
    async def remove_goal(self, info: Info, id: str) -> GoalType:
        who = admin(info)
        goal = goal_with_id(platform_of(info).cache.adaptors(), id)
        if goal is None:
            raise NotFound(f"goal {id[:60]!r} does not exist", field="id")
        command = RemoveGoal(who, goal.container_id, goal.goal_id)
        return GoalType.of(await run_command(info, remove_goal, command))
