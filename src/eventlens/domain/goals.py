"""Goals: what a site's visitors are meant to do, as Plausible defines them.

A goal is reached by a custom event of a given name (`event_name`), or by a page view whose
path matches `page_path`, where `*` stands for any characters within one path segment and
`**` for any characters across segments. Its name is the event's name, or `Visit <path>`
for a page goal. An event goal may keep revenue in one currency (`currency`).

Goals belong to their site's Adaptor aggregate (its events `GoalAdded` and `GoalRemoved`), so
the site's goals change under one optimistic-concurrency check: two goals of the same name
cannot both be added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from eventlens.domain.currencies import CURRENCIES
from eventlens.domain.errors import InvalidInput

MAX_GOALS = 200  # per site
MAX_EVENT_NAME = 120
MAX_PAGE_PATH = 2000
MAX_DISPLAY_NAME = 120
PAGE_VIEW = "page_view"
# Names that are not custom events: a page is a page goal, engagement is the tracker's own.
RESERVED_EVENT_NAMES = frozenset({"pageview", PAGE_VIEW, "engagement"})


@dataclass(frozen=True, slots=True)
class Goal:
    goal_id: str
    container_id: str
    event_name: str | None
    page_path: str | None
    display_name: str
    currency: str | None
    created_at: datetime

    @property
    def name(self) -> str:
        """Plausible's name for it: the event's name, or `Visit <path>`."""
        return self.event_name if self.event_name is not None else f"Visit {self.page_path}"

    @property
    def kind(self) -> str:
        return "event" if self.event_name is not None else "page"

    @property
    def path_regex(self) -> str | None:
        """The page path as an anchored regular expression (POSIX and RE2 alike)."""
        return None if self.page_path is None else wildcard_regex(self.page_path)

    def reached_by(self, event_type: str, path: str | None) -> bool:
        """Whether an event (by its type, and its page's path) reaches this goal."""
        if self.event_name is not None:
            return event_type == self.event_name
        regex = self.path_regex
        assert regex is not None
        return (
            event_type == PAGE_VIEW and path is not None and re.fullmatch(regex, path) is not None
        )


# A revenue amount as the read side accepts it (`views.web_stats.revenue`): plain decimals.
AMOUNT = re.compile(r"-?[0-9]{1,30}(\.[0-9]{1,12})?")


def decimal_amount(amount: int | float | str) -> str | None:
    """A revenue amount as an exact decimal string (`49.9` -> `"49.9"`, `"12.50"` kept), or
    None when it is no finite plain decimal."""
    text = repr(amount) if isinstance(amount, float) else str(amount).strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    plain = text if AMOUNT.fullmatch(text) else format(value, "f")
    return plain if AMOUNT.fullmatch(plain) else None


def wildcard_regex(page_path: str) -> str:
    """`/blog/*/comments/**` -> `^/blog/[^/]*/comments/.*$`: `**` crosses segments, `*` does
    not, everything else is literal."""
    parts = []
    for piece in re.split(r"(\*\*|\*)", page_path):
        if piece == "**":
            parts.append(".*")
        elif piece == "*":
            parts.append("[^/]*")
        else:
            parts.append("".join(f"\\{c}" if not c.isalnum() and c != "/" else c for c in piece))
    return "^" + "".join(parts) + "$"


def check_goal_target(event_name: object, page_path: object) -> tuple[str | None, str | None]:
    """Exactly one of an event name and a page path, each well-formed."""
    if (event_name is None) == (page_path is None):
        raise InvalidInput(
            "a goal needs exactly one of event_name and page_path", field="event_name"
        )
    if event_name is not None:
        return check_event_name(event_name), None
    return None, check_page_path(page_path)


def check_event_name(event_name: object) -> str:
    if (
        not isinstance(event_name, str)
        or not event_name.strip()
        or len(event_name) > MAX_EVENT_NAME
    ):
        raise InvalidInput(
            f"event_name must be a non-empty string of at most {MAX_EVENT_NAME} characters",
            field="event_name",
        )
    if event_name.strip().lower() in RESERVED_EVENT_NAMES:
        raise InvalidInput(
            f"event_name {event_name.strip()!r} is not a custom event: for page views, "
            "give a page_path instead",
            field="event_name",
        )
    return event_name.strip()


def check_page_path(page_path: object) -> str:
    if not isinstance(page_path, str) or len(page_path) > MAX_PAGE_PATH:
        raise InvalidInput(
            f"page_path must be a string of at most {MAX_PAGE_PATH} characters",
            field="page_path",
        )
    if not page_path.startswith("/") or any(c.isspace() for c in page_path):
        raise InvalidInput(
            f"page_path {page_path!r} must start with '/' and hold no spaces", field="page_path"
        )
    if "***" in page_path:
        raise InvalidInput(
            f"page_path {page_path!r} has a bad wildcard: '*' matches within a path segment, "
            "'**' across segments, and no more stars than two in a row",
            field="page_path",
        )
    return page_path


def check_display_name(display_name: object, default: str) -> str:
    if display_name is None:
        return default
    if (
        not isinstance(display_name, str)
        or not display_name.strip()
        or len(display_name) > MAX_DISPLAY_NAME
    ):
        raise InvalidInput(
            f"display_name must be a non-empty string of at most {MAX_DISPLAY_NAME} characters",
            field="display_name",
        )
    return display_name.strip()


def check_currency(currency: object, event_name: str | None) -> str | None:
    """A revenue goal's currency: an ISO 4217 code, on event goals only (as in Plausible)."""
    if currency is None:
        return None
    if not isinstance(currency, str) or currency.upper() not in CURRENCIES:
        raise InvalidInput(
            f"currency {currency!r} is not an ISO 4217 currency code (such as 'EUR' or 'USD')",
            field="currency",
        )
    if event_name is None:
        raise InvalidInput(
            "only a custom event goal can be a revenue goal: a page goal has no currency",
            field="currency",
        )
    return currency.upper()
