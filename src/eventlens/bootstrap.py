"""First start: create the first admin. There is no fixed default password anywhere."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from eventlens.commands.actor import SYSTEM
from eventlens.commands.create_user import CreateUser, create_user
from eventlens.domain.errors import AlreadyExists
from eventlens.domain.user import Role, User
from eventlens.eventstore.catalog import Catalog
from eventlens.logs import announce

log = logging.getLogger(__name__)

ADMIN = "admin"
PASSWORD_FILE = "admin-password"


def ensure_first_admin(
    catalog: Catalog, users: Iterable[User], password: str | None, data_dir: Path
) -> str | None:
    """Create `admin` if no admin exists. Returns the generated password, if one was made."""
    if any(user.is_admin and not user.removed for user in users):
        return None
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(15)
    try:
        create_user(CreateUser(SYSTEM, ADMIN, password, Role.ADMIN.value), catalog)
    except AlreadyExists:
        return None  # another replica created it first
    if generated is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        target = data_dir / PASSWORD_FILE
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(generated + "\n")
        announce(
            f"\nEventLens created the first admin.\n  username: {ADMIN}\n  password: {generated}\n"
            f"  (also saved, readable only by you, in {target})\n"
        )
    return generated
