"""RecordSignIn: a sign-in, or a refused attempt, goes into the catalog's history for the audit
log. The password and the client's address are never part of it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventlens.domain.audit import ANONYMOUS
from eventlens.domain.sign_ins import Session
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class RecordSignIn:
    """`username` of a refused attempt only when it names an existing user."""

    username: str | None
    session_id: UUID | None  # the sign-in's refresh-token family; None when refused


def record_sign_in(command: RecordSignIn, catalog: Catalog) -> Session:
    if command.session_id is None:
        session = Session.sign_in_failed(command.username)
        catalog.record(session, actor=ANONYMOUS)
        return session
    assert command.username is not None, "a sign-in that succeeded names its user"
    session = Session.signed_in(command.session_id, command.username)
    catalog.record(session, actor=command.username, creating="this sign-in")
    return session
