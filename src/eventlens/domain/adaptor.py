"""The Adaptor aggregate: one tracked site, bound to a schema, identified by a container id."""

from __future__ import annotations

import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from eventlens.domain.credentials import (
    MAX_SHARED_LINKS,
    SharedLink,
    check_label,
    secret_digest,
)
from eventlens.domain.errors import AlreadyExists, Conflict, InvalidInput, NotFound
from eventlens.domain.funnels import (
    SavedFunnel,
    check_new_funnel,
    check_saved_breakdown,
    check_saved_window,
)
from eventlens.domain.goals import (
    MAX_GOALS,
    Goal,
    check_currency,
    check_display_name,
    check_goal_target,
)
from eventlens.domain.names import check_schema_name
from eventlens.domain.schema import check_description
from eventlens.domain.timezones import DEFAULT_TIMEZONE, check_timezone
from eventlens.domain.websites import check_adaptor_name, check_origins, check_urls, origin_of

CONTAINER_ID = re.compile(r"CAP-[A-Z0-9]{6}")
CONTAINER_ID_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def adaptor_id_for(container_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"eventlens:adaptor:{container_id}")


def check_container_id(container_id: str) -> str:
    if not isinstance(container_id, str) or not CONTAINER_ID.fullmatch(container_id):
        raise InvalidInput(
            "container id must have the form CAP-XXXXXX (six uppercase letters or digits)",
            field="container_id",
        )
    return container_id


class Adaptor(Aggregate):
    """A tracked site. Events are accepted only while it is active and from its origins."""

    @staticmethod
    def create_id(container_id: str, **_: Any) -> UUID:
        return adaptor_id_for(container_id)

    @classmethod
    def create(
        cls,
        container_id: str,
        name: object,
        schema_name: str,
        website_urls: object,
        allowed_origins: object,
        description: object,
        timezone: object = None,
    ) -> Adaptor:
        return cls(
            container_id=check_container_id(container_id),
            name=check_adaptor_name(name),
            schema_name=check_schema_name(schema_name),
            website_urls=check_urls(website_urls, "website_url"),
            allowed_origins=check_origins(allowed_origins),
            description=check_description(description),
            timezone=DEFAULT_TIMEZONE if timezone is None else check_timezone(timezone),
        )

    class Created(Aggregate.Created):
        container_id: str
        name: str
        schema_name: str
        website_urls: list[str]
        allowed_origins: list[str]
        description: str
        timezone: str
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Adaptors created before sites had time zones counted in UTC."""
            state["timezone"] = DEFAULT_TIMEZONE

    @event(Created)
    def __init__(
        self,
        container_id: str,
        name: str,
        schema_name: str,
        website_urls: list[str],
        allowed_origins: list[str],
        description: str,
        timezone: str,
    ) -> None:
        self.container_id = container_id
        self.name = name
        self.schema_name = schema_name
        self.website_urls = website_urls
        self.allowed_origins = allowed_origins
        self.description = description
        self.timezone = timezone
        self.active = True
        self.shared_links: dict[str, SharedLink] = {}
        self.funnels: dict[str, SavedFunnel] = {}
        self.goals: dict[str, Goal] = {}

    @property
    def origins(self) -> frozenset[str]:
        """Origins allowed to send events: the website URLs' origins plus explicit ones."""
        derived = {origin_of(url, "website_url") for url in self.website_urls}
        return frozenset(derived | set(self.allowed_origins))

    def accepts_origin(self, origin: str | None) -> bool:
        """A request without an Origin header (a server, curl) is not a browser: accept it."""
        if origin is None:
            return True
        allowed = self.origins
        return "*" in allowed or origin.lower() in allowed

    def update(
        self,
        name: object = None,
        schema_name: str | None = None,
        website_urls: object = None,
        allowed_origins: object = None,
        description: object = None,
        timezone: object = None,
    ) -> None:
        changes: dict[str, Any] = {
            "name": self.name if name is None else check_adaptor_name(name),
            "schema_name": self.schema_name
            if schema_name is None
            else check_schema_name(schema_name),
            "website_urls": self.website_urls
            if website_urls is None
            else check_urls(website_urls, "website_url"),
            "allowed_origins": self.allowed_origins
            if allowed_origins is None
            else check_origins(allowed_origins),
            "description": self.description
            if description is None
            else check_description(description),
            "timezone": self.timezone if timezone is None else check_timezone(timezone),
        }
        if all(getattr(self, key) == value for key, value in changes.items()):
            return
        self._updated(**changes)

    class Updated(Aggregate.Event):
        name: str
        schema_name: str
        website_urls: list[str]
        allowed_origins: list[str]
        description: str
        timezone: str
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Before sites had time zones, every adaptor stayed in UTC."""
            state["timezone"] = DEFAULT_TIMEZONE

    @event(Updated)
    def _updated(
        self,
        name: str,
        schema_name: str,
        website_urls: list[str],
        allowed_origins: list[str],
        description: str,
        timezone: str,
    ) -> None:
        self.name = name
        self.schema_name = schema_name
        self.website_urls = website_urls
        self.allowed_origins = allowed_origins
        self.description = description
        self.timezone = timezone

    def disable(self) -> None:
        if not self.active:
            raise Conflict(f"adaptor {self.container_id} is already disabled")
        self._disabled()

    @event("Disabled")
    def _disabled(self) -> None:
        self.active = False

    def enable(self) -> None:
        if self.active:
            raise Conflict(f"adaptor {self.container_id} is already active")
        self._enabled()

    @event("Enabled")
    def _enabled(self) -> None:
        self.active = True

    def create_shared_link(
        self, link_id: str, name: object, secret: str, password_hash: str | None
    ) -> SharedLink:
        """Record a link by its token's digest; the token is the caller's to hand out once."""
        if len(self.shared_links) >= MAX_SHARED_LINKS:
            raise Conflict(
                f"a site may have at most {MAX_SHARED_LINKS} shared links; revoke one first"
            )
        if link_id in self.shared_links:
            raise Conflict(f"shared link id {link_id!r} is taken")
        self.trigger_event(
            self.SharedLinkCreated,
            link_id=link_id,
            name=check_label(name, "Shared link"),
            digest=secret_digest(secret),
            password_hash=password_hash,
        )
        return self.shared_links[link_id]

    class SharedLinkCreated(Aggregate.Event):
        """Declared rather than decorated: applying it needs the event's own timestamp."""

        link_id: str
        name: str
        digest: str
        password_hash: str | None

        def apply(self, aggregate: Adaptor) -> None:
            aggregate.shared_links[self.link_id] = SharedLink(
                self.link_id, self.name, self.digest, self.password_hash, self.timestamp
            )

    def revoke_shared_link(self, link_id: str) -> SharedLink:
        link = self.shared_links.get(link_id)
        if link is None:
            raise NotFound(f"shared link {link_id!r} of {self.container_id} does not exist")
        self._shared_link_revoked(link_id=link_id)
        return link

    @event("SharedLinkRevoked")
    def _shared_link_revoked(self, link_id: str) -> None:
        del self.shared_links[link_id]

    def save_funnel(
        self,
        funnel_id: str,
        name: object,
        steps: object,
        within: object,
        breakdown: object = None,
    ) -> SavedFunnel:
        """Keep a funnel for this site: its steps are goals of the site, its name is new."""
        goals = {goal.name for goal in self.goals.values()}
        checked = check_new_funnel(self.container_id, self.funnels, goals, funnel_id, name, steps)
        self.trigger_event(
            self.FunnelSaved,
            funnel_id=funnel_id,
            name=checked[0],
            steps=list(checked[1]),
            within=check_saved_window(within),
            breakdown=check_saved_breakdown(breakdown),
        )
        return self.funnels[funnel_id]

    class FunnelSaved(Aggregate.Event):
        """Declared rather than decorated: applying it needs the event's own timestamp."""

        funnel_id: str
        name: str
        steps: list[str]
        within: str
        breakdown: str | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Funnels saved before they kept a breakdown had none."""
            state["breakdown"] = None

        def apply(self, aggregate: Adaptor) -> None:
            aggregate.funnels[self.funnel_id] = SavedFunnel(
                self.funnel_id,
                self.name,
                tuple(self.steps),
                self.within,
                self.timestamp,
                self.breakdown,
            )

    def delete_funnel(self, funnel_id: str) -> SavedFunnel:
        funnel = self.funnels.get(funnel_id)
        if funnel is None:
            raise NotFound(f"funnel {funnel_id!r} of {self.container_id} does not exist")
        self._funnel_deleted(funnel_id=funnel_id)
        return funnel

    @event("FunnelDeleted")
    def _funnel_deleted(self, funnel_id: str) -> None:
        del self.funnels[funnel_id]

    def add_goal(
        self,
        goal_id: str,
        event_name: object = None,
        page_path: object = None,
        display_name: object = None,
        currency: object = None,
    ) -> Goal:
        """A goal of this site; its name (and its display name) must be new to the site."""
        event, page = check_goal_target(event_name, page_path)
        currency_code = check_currency(currency, event)
        name = event if event is not None else f"Visit {page}"
        shown = check_display_name(display_name, name)
        if len(self.goals) >= MAX_GOALS:
            raise Conflict(f"a site may have at most {MAX_GOALS} goals; remove one first")
        for goal in self.goals.values():
            if goal.name == name:
                raise AlreadyExists(
                    f"site {self.container_id} already has the goal {name!r}",
                    field="event_name" if event is not None else "page_path",
                )
            if goal.display_name == shown:
                raise AlreadyExists(
                    f"site {self.container_id} already has a goal shown as {shown!r}",
                    field="display_name",
                )
        self.trigger_event(
            self.GoalAdded,
            goal_id=goal_id,
            event_name=event,
            page_path=page,
            display_name=shown,
            currency=currency_code,
        )
        return self.goals[goal_id]

    class GoalAdded(Aggregate.Event):
        """Declared rather than decorated: applying it needs the event's own timestamp."""

        goal_id: str
        event_name: str | None
        page_path: str | None
        display_name: str
        currency: str | None

        def apply(self, aggregate: Adaptor) -> None:
            aggregate.goals[self.goal_id] = Goal(
                goal_id=self.goal_id,
                container_id=aggregate.container_id,
                event_name=self.event_name,
                page_path=self.page_path,
                display_name=self.display_name,
                currency=self.currency,
                created_at=self.timestamp,
            )

    def remove_goal(self, goal_id: str) -> Goal:
        goal = self.goals.get(goal_id)
        if goal is None:
            raise NotFound(f"goal {goal_id!r} of {self.container_id} does not exist")
        self._goal_removed(goal_id=goal_id)
        return goal

    @event("GoalRemoved")
    def _goal_removed(self, goal_id: str) -> None:
        del self.goals[goal_id]
