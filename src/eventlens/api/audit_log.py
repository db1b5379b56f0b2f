"""`GET /api/audit-log`: who changed what in the catalog, and when (admins only, read-only).

There is no route that writes it: the `audit_log` table is written only by its projection,
from the catalog's event history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from eventlens.api.deps import AdminDep, PlatformDep
from eventlens.api.errors import documented
from eventlens.views.audit_log import AuditFilter, audit_entries

router = APIRouter(prefix="/api/audit-log", tags=["audit log"])
MAX_PAGE = 500
Text = Annotated[str | None, Query(min_length=1, max_length=200)]


class AuditEntry(BaseModel):
    position: int
    recorded_at: datetime
    actor: str
    action: str
    subject_type: str
    subject: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    entries: list[AuditEntry]
    total: int
    limit: int
    offset: int


@router.get("", response_model=AuditPage, responses=documented(401, 403, 422))
async def audit_log(
    admin: AdminDep,
    platform: PlatformDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    who: Annotated[
        str | None, Query(alias="actor", min_length=1, max_length=200, description="Who")
    ] = None,
    action: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=200,
            description="An action ('User.RoleChanged'), or a kind of them ('User.')",
        ),
    ] = None,
    subject_type: Text = None,
    subject: Text = None,
) -> AuditPage:
    """Newest first. `total` counts every entry that matches the filters."""
    f = AuditFilter(actor=who, action=action, subject_type=subject_type, subject=subject)
    async with platform.pool.connection() as conn:
        rows, total = await audit_entries(conn, f, limit, offset)
    return AuditPage(
        entries=[AuditEntry(**row) for row in rows], total=total, limit=limit, offset=offset
    )
