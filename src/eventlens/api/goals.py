"""`/api/goals/`: a site's goals, as Plausible's Sites API keeps them (`site_id` is the site's
domain or its container id, as in `/api/v2/query`). Admins add and remove them; anyone who
reads the site's stats (a user, an API key, the site's shared link) lists them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from eventlens.access.readers import readable_sites
from eventlens.api.deps import AdminDep, CommandsDep, PlatformDep, StatsReaderDep
from eventlens.api.errors import documented
from eventlens.commands.add_goal import AddGoal, add_goal
from eventlens.commands.remove_goal import RemoveGoal, remove_goal
from eventlens.domain.errors import NotFound, PermissionDenied
from eventlens.domain.goals import MAX_DISPLAY_NAME, MAX_EVENT_NAME, MAX_PAGE_PATH, Goal
from eventlens.domain.stats_query import Site, StatsQueryError
from eventlens.projections.catalog_cache import CatalogCache
from eventlens.views.goals import goal_with_id
from eventlens.views.web_stats.sites import find_site

router = APIRouter(prefix="/api/goals", tags=["goals"])
GoalId = Annotated[str, Path(max_length=32, description="The goal's id")]
SiteId = Annotated[str, Query(max_length=300, description="The site's domain or its container id")]


class GoalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site_id: str = Field(max_length=300, examples=["example.com"])
    event_name: str | None = Field(
        None, max_length=MAX_EVENT_NAME, description="A custom event's name", examples=["Signup"]
    )
    page_path: str | None = Field(
        None,
        max_length=MAX_PAGE_PATH,
        description="A page's path; `*` matches within a segment, `**` across segments",
        examples=["/blog/**"],
    )
    display_name: str | None = Field(None, max_length=MAX_DISPLAY_NAME)
    currency: str | None = Field(
        None,
        max_length=16,
        description="ISO 4217 code: the goal counts revenue in this currency",
        examples=["EUR"],
    )


class GoalOut(BaseModel):
    id: str
    site_id: str = Field(description="The site's container id")
    name: str = Field(description="The event's name, or `Visit <path>` for a page goal")
    display_name: str
    goal_type: str = Field(description="`event` or `page`")
    event_name: str | None
    page_path: str | None
    currency: str | None
    created_at: datetime

    @classmethod
    def of(cls, goal: Goal) -> GoalOut:
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


def site_named(cache: CatalogCache, site_id: str) -> Site:
    try:
        return find_site(cache.adaptors(), site_id)
    except StatsQueryError:
        raise NotFound(
            f"site_id {site_id!r} is no adaptor's container id or website", field="site_id"
        ) from None


@router.post(
    "/", status_code=201, response_model=GoalOut, responses=documented(401, 403, 404, 409, 422)
)
def create(body: GoalIn, actor: AdminDep, commands: CommandsDep, platform: PlatformDep) -> GoalOut:
    """Add a goal: exactly one of `event_name` and `page_path`. A goal counts conversions
    over the site's whole history, at once."""
    site = site_named(platform.cache, body.site_id)
    command = AddGoal(
        actor,
        site.container_id,
        event_name=body.event_name,
        page_path=body.page_path,
        display_name=body.display_name,
        currency=body.currency,
    )
    return GoalOut.of(commands(add_goal, command))


@router.get("/", response_model=list[GoalOut], responses=documented(401, 403, 404, 422))
def list_goals(site_id: SiteId, reader: StatsReaderDep, platform: PlatformDep) -> list[GoalOut]:
    """The site's goals, oldest first."""
    site = site_named(platform.cache, site_id)
    if not readable_sites(reader).allows(site.container_id):
        raise PermissionDenied(f"this token does not read the stats of {site_id}")
    return [GoalOut.of(goal) for goal in site.goals]


@router.delete("/{goal_id}", response_model=GoalOut, responses=documented(401, 403, 404, 409))
async def delete(
    goal_id: GoalId, actor: AdminDep, commands: CommandsDep, platform: PlatformDep
) -> GoalOut:
    """Remove a goal. The events that reached it stay; its conversions are no longer counted."""
    await platform.sync_catalog()  # a goal added through another API process
    goal = goal_with_id(platform.cache.adaptors(), goal_id)
    if goal is None:
        raise NotFound(f"goal {goal_id!r} does not exist", field="goal_id")
    removed = commands(remove_goal, RemoveGoal(actor, goal.container_id, goal_id))
    return GoalOut.of(removed)
