"""A site's goals, as the read side finds them: from the catalog's Adaptor (current as soon
as a goal is added, in this process) or from the `goals` catalog view (for readers holding
only a database connection). Both give domain `Goal`s, oldest first.

Conversions are matched at query time (`web_stats`), so a goal counts over the whole
history from the moment it is added.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from psycopg import AsyncConnection

from eventlens.domain.adaptor import Adaptor
from eventlens.domain.goals import Goal


def site_goals(adaptor: Adaptor) -> tuple[Goal, ...]:
    goals = getattr(adaptor, "goals", {})
    return tuple(sorted(goals.values(), key=lambda g: (g.created_at, g.goal_id)))


def goal_named(goals: Iterable[Goal], name: str) -> Goal | None:
    """The goal called `name` (an event's name, or `Visit <path>`), if the site has it."""
    return next((g for g in goals if g.name == name), None)


def goal_with_id(adaptors: Iterable[Adaptor], goal_id: str) -> Goal | None:
    return next(
        (g for a in adaptors for g in site_goals(a) if g.goal_id == goal_id),
        None,
    )


async def stored_goals(conn: AsyncConnection[Any], container_id: str) -> list[Goal]:
    """The site's goals from the `goals` view (as the catalog projection last wrote them)."""
    cursor = await conn.execute(
        "SELECT goal_id, container_id, event_name, page_path, display_name, currency, "
        "created_at FROM goals WHERE container_id = %s ORDER BY created_at, goal_id",
        (container_id,),
    )
    return [Goal(*row) for row in await cursor.fetchall()]
