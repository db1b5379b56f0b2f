"""RecordSignOut: a sign-out goes into the catalog's history for the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from eventlens.domain.errors import NotFound
from eventlens.domain.sign_ins import Session
from eventlens.eventstore.catalog import Catalog


@dataclass(frozen=True, slots=True)
class RecordSignOut:
    username: str
    session_id: UUID  # the refresh-token family the sign-out ends


def record_sign_out(command: RecordSignOut, catalog: Catalog) -> None:
    """Sign-ins from before they were recorded have no session to close: one is opened, so
    the sign-out still shows."""
    try:
        session = catalog.session(command.session_id)
    except NotFound:
        session = Session.signed_in(command.session_id, command.username)
    session.sign_out()
    catalog.record(session, actor=command.username)
