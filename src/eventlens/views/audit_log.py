"""The audit log as the API shows it: newest first, filtered, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection, sql
from psycopg.rows import dict_row


@dataclass(frozen=True, slots=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None  # exact ('User.RoleChanged') or a kind with a dot ('User.')
    subject_type: str | None = None
    subject: str | None = None


def _where(f: AuditFilter) -> tuple[sql.Composable, list[Any]]:
    clauses: list[sql.Composable] = []
    params: list[Any] = []
    for column, value in (
        ("actor", f.actor),
        ("subject_type", f.subject_type),
        ("subject", f.subject),
    ):
        if value is not None:
            clauses.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            params.append(value)
    if f.action is not None:
        if f.action.endswith("."):
            clauses.append(sql.SQL("starts_with(action, %s)"))
        else:
            clauses.append(sql.SQL("action = %s"))
        params.append(f.action)
    if not clauses:
        return sql.SQL(""), params
    return sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses), params


async def audit_entries(
    conn: AsyncConnection[Any], f: AuditFilter, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of entries, newest first, and how many match in all."""
    where, params = _where(f)
    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(
            sql.SQL(
                "SELECT position, recorded_at, actor, action, subject_type, subject, details "
                "FROM audit_log"
            )
            + where
            + sql.SQL(" ORDER BY position DESC LIMIT %s OFFSET %s"),
            [*params, limit, offset],
        )
        rows = await cur.fetchall()
        await cur.execute(sql.SQL("SELECT count(*) AS n FROM audit_log") + where, params)
        total = await cur.fetchone()
    return rows, int(total["n"]) if total else 0
