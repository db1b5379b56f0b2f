"""SQL clauses the read side's queries share: equality filters and keyset paging."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

import orjson
from psycopg import sql

from eventlens.domain.errors import InvalidInput

Clauses = list[sql.Composable]


def equal_to(
    pairs: Iterable[tuple[str, object]], params: dict[str, Any], prefix: str = ""
) -> Clauses:
    """`column = %(column)s` for each pair whose value is given; the values go to `params`."""
    clauses: Clauses = []
    for column, value in pairs:
        if value is not None:
            clauses.append(
                sql.SQL("{} = {}").format(
                    sql.Identifier(*(prefix, column) if prefix else (column,)),
                    sql.Placeholder(column),
                )
            )
            params[column] = value
    return clauses


def all_of(clauses: Clauses) -> sql.Composable:
    return sql.SQL(" AND ").join([sql.SQL("TRUE"), *clauses])


def encode_cursor(received_at: datetime, event_id: UUID) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([received_at.isoformat(), str(event_id)])).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        moment, event_id = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(moment), UUID(event_id)
    except Exception:
        raise InvalidInput("cursor is not one this API issued", field="cursor") from None


def before_cursor(cursor: str | None, params: dict[str, Any], prefix: str = "") -> Clauses:
    """Rows after the cursor's in newest-first order: `(received_at, event_id)` below it."""
    if cursor is None:
        return []
    received_at, event_id = decode_cursor(cursor)
    params.update(c_at=received_at, c_id=event_id)
    columns = sql.SQL(", ").join(
        sql.Identifier(*(prefix, c) if prefix else (c,)) for c in ("received_at", "event_id")
    )
    return [sql.SQL("({}) < (%(c_at)s, %(c_id)s)").format(columns)]


def page(rows: list[dict[str, Any]], limit: int) -> tuple[list[dict[str, Any]], str | None]:
    """`limit` + 1 rows were asked for: the extra one only says that a next page exists."""
    found = rows[:limit]
    if len(rows) <= limit:
        return found, None
    return found, encode_cursor(found[-1]["received_at"], found[-1]["event_id"])
