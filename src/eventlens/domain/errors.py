"""Domain errors. Each names the rule that failed; adapters map them to 4xx answers."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused because it breaks a rule of the domain."""

    code = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """The command's data is malformed or breaks a validation rule."""

    code = "invalid"


class NotFound(DomainError):
    """The command names something that does not exist."""

    code = "not_found"


class AlreadyExists(DomainError):
    """The command would create something whose identity is taken."""

    code = "already_exists"


class Conflict(DomainError):
    """The command conflicts with the current state (retired, disabled, concurrent change)."""

    code = "conflict"


class PermissionDenied(DomainError):
    """The actor's role does not allow the command."""

    code = "forbidden"


class TooManyRequests(DomainError):
    """The actor already holds as much of a shared resource as one actor may."""

    code = "too_many_requests"
