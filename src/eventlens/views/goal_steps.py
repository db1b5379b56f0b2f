"""A site's goal as a funnel's or retention's step."""

from __future__ import annotations

from eventlens.domain.funnels import Step, step_of_goal_name
from eventlens.domain.stats_query import Site


def goal_step(site: Site, name: str) -> Step | None:
    """The step a goal's name stands for (`Visit <path>`: a page goal; else an event goal)."""
    return step_of_goal_name(name)
