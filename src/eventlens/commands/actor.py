"""Who is issuing a command, and the role checks every catalog command makes."""

from __future__ import annotations

from dataclasses import dataclass

from eventlens.domain.errors import PermissionDenied
from eventlens.domain.user import Role


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


SYSTEM = Actor(username="system", role=Role.ADMIN)


def require_admin(actor: Actor, action: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"only admins may {action}")
