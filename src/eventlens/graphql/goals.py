"""A site's goals in GraphQL. Their conversions are asked through `webStats`, as in
`POST /api/v2/query` (`event:goal` dimension or filter, `conversion_rate`...)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from eventlens.domain.goals import Goal
from eventlens.graphql.web import site_of


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
