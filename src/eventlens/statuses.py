"""How each failure is answered, whatever the protocol: REST and GraphQL give a domain
error the same status, and a cancelled slow query the same message."""

from __future__ import annotations

from eventlens.domain.errors import (
    AlreadyExists,
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyRequests,
)

STATUS_BY_ERROR: dict[type[DomainError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    AlreadyExists: 409,
    Conflict: 409,
    PermissionDenied: 403,
    TooManyRequests: 429,
}

QUERY_TOO_SLOW = (
    "the query ran longer than the read time limit (EVENTLENS_QUERY_TIMEOUT_MS); "
    "narrow its filter or time range"
)
