"""The audit log in GraphQL (admins only, read-only: there is no mutation of it)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from eventlens.domain.errors import InvalidInput
from eventlens.graphql.context import admin
from eventlens.runtime.platform import Platform
from eventlens.views.audit_log import AuditFilter, audit_entries

MAX_PAGE = 500
MAX_OFFSET = 10_000_000
MAX_TEXT = 200


@strawberry.type(description="One change to the catalog: who, when, what.")
class AuditEntry:
    position: int
    recorded_at: datetime
    actor: str
    action: str
    subject_type: str
    subject: str | None
    details: JSON


@strawberry.type
class AuditPage:
    entries: list[AuditEntry]
    total: int


@strawberry.input(description="Filters; an action ending in a dot ('User.') matches a kind.")
class AuditFilterInput:
    actor: str | None = None
    action: str | None = None
    subject_type: str | None = None
    subject: str | None = None


def _checked(f: AuditFilterInput | None, limit: int, offset: int) -> AuditFilter:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidInput(f"offset must be between 0 and {MAX_OFFSET}", field="offset")
    if f is None:
        return AuditFilter()
    for name in ("actor", "action", "subject_type", "subject"):
        value = getattr(f, name)
        if value is not None and not 1 <= len(value) <= MAX_TEXT:
            raise InvalidInput(f"{name} must have 1 to {MAX_TEXT} characters", field=name)
    return AuditFilter(f.actor, f.action, f.subject_type, f.subject)


@strawberry.type
class AuditQuery:
    @strawberry.field(description="Who changed what in the catalog, newest first (admins only).")
    async def audit_log(
        self,
        info: Info,
        filter: AuditFilterInput | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> AuditPage:
        admin(info)
        checked = _checked(filter, limit, offset)
        platform: Platform = info.context["platform"]
        async with platform.pool.connection() as conn:
            rows, total = await audit_entries(conn, checked, limit, offset)
        return AuditPage(entries=[AuditEntry(**row) for row in rows], total=total)
